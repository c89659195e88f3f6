//! YCSB's CoreWorkload as upstream YCSB (brianfrankcooper/YCSB, core `site.ycsb.generator`
//! and `CoreWorkload`) defines it: the generators and key naming, the workload spec with
//! YCSB's property names, the record layout of the RocksDB binding, the key and operation
//! choosers, and the acknowledged insert counter.

pub mod ack;
pub mod choose;
pub mod fields;
pub mod generators;
pub mod record;
pub mod spec;

pub use ack::InsertSequence;
pub use choose::{KeyChooser, OpChooser};
pub use generators::{
    fnvhash64, key_name, scan_length, zeta, ScanLengths, ScrambledZipfian, Zipfian,
    SCRAMBLED_ITEM_COUNT, SCRAMBLED_ZETAN, ZIPFIAN_CONSTANT,
};
pub use record::Record;
pub use spec::{
    Binding, Distribution, Exporter, MeasurementInterval, MeasurementType, ScanLengthDistribution,
    YcsbMeasure, YcsbSpec,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::OpKind;
    use rand::rngs::SmallRng;
    use rand::SeedableRng;

    #[test]
    fn core_workloads_match_upstream() {
        let a = YcsbSpec::core("a").unwrap();
        assert_eq!((a.readproportion, a.updateproportion), (0.5, 0.5));
        assert_eq!(a.requestdistribution, Distribution::Zipfian);
        let d = YcsbSpec::core("d").unwrap();
        assert_eq!(d.requestdistribution, Distribution::Latest);
        let e = YcsbSpec::core("E").unwrap();
        assert_eq!(
            (e.scanproportion, e.insertproportion, e.maxscanlength),
            (0.95, 0.05, 100)
        );
        let f = YcsbSpec::core("f").unwrap();
        assert_eq!(f.readmodifywriteproportion, 0.5);
        assert!(YcsbSpec::core("g").is_err());
        assert_eq!(a.fieldcount, 10);
        assert!(a.readallfields && !a.writeallfields && a.hashed);
    }

    #[test]
    fn op_mixes_within_one_percent() {
        let mut rng = SmallRng::seed_from_u64(11);
        for w in ["a", "b", "c", "d", "e", "f"] {
            let s = YcsbSpec::core(w).unwrap();
            let ch = OpChooser::new(&s);
            let mut counts = std::collections::HashMap::new();
            let n = 100_000;
            for _ in 0..n {
                *counts.entry(ch.next(&mut rng)).or_insert(0u32) += 1;
            }
            let frac = |k: OpKind| *counts.get(&k).unwrap_or(&0) as f64 / n as f64;
            for (k, p) in [
                (OpKind::Read, s.readproportion),
                (OpKind::Update, s.updateproportion),
                (OpKind::Insert, s.insertproportion),
                (OpKind::Scan, s.scanproportion),
                (OpKind::ReadModifyWrite, s.readmodifywriteproportion),
            ] {
                assert!(
                    (frac(k) - p).abs() < 0.01,
                    "workload {w} {k}: {} vs {p}",
                    frac(k)
                );
            }
        }
    }

    #[test]
    fn latest_never_chooses_an_uninserted_key() {
        let s = YcsbSpec {
            recordcount: 1000,
            ..YcsbSpec::core("d").unwrap()
        };
        let seq = InsertSequence::new(1000);
        let mut ch = KeyChooser::new(&s);
        let mut rng = SmallRng::seed_from_u64(5);
        let (mut hot, mut new_keys) = (0, 0);
        let mut held = Vec::new();
        for round in 0..2000u64 {
            // Inserts are handed out and acknowledged out of order: the first of every three
            // is held back until the other two are written.
            let n = seq.next();
            assert_eq!(n, 1000 + round);
            if round % 3 == 0 {
                held.push(n);
            } else {
                seq.acknowledge(n).unwrap();
            }
            if round % 3 == 2 {
                for h in held.drain(..) {
                    seq.acknowledge(h).unwrap();
                }
            }
            // The limit moves over whole groups of three, never past a held-back insert.
            assert_eq!(seq.last_acknowledged(), 999 + 3 * ((round + 1) / 3));
            let k = ch.next(&mut rng, &seq);
            assert!(
                k <= seq.last_acknowledged(),
                "chose {k} above {}",
                seq.last_acknowledged()
            );
            hot += u64::from(k + 10 >= seq.last_acknowledged());
            new_keys += u64::from(k >= 1000);
        }
        assert!(hot > 400, "latest favours recent keys: {hot}");
        // The draws followed the acknowledged inserts (ignoring them, none would be >= 1000).
        assert!(
            new_keys > 1500,
            "{new_keys} of 2000 draws chose a key inserted in the run"
        );
        // Round 1998's insert (2998) was still held back; writing it releases 2999 too.
        assert_eq!(seq.last_acknowledged(), 2997);
        for h in held.drain(..) {
            seq.acknowledge(h).unwrap();
        }
        assert_eq!(seq.last_acknowledged(), 2999);

        // Now latest is a zipfian back from 2999 over 2999 items: 2999 is drawn 1 / zeta(2999)
        // of the time (11.2%; 12.9% with zeta left at the first 999 keys), and most draws are
        // among the keys inserted last, few among the 1000 loaded ones.
        let n = 50_000u32;
        let (mut top, mut newest_third, mut loaded) = (0u32, 0u32, 0u32);
        for _ in 0..n {
            let k = ch.next(&mut rng, &seq);
            assert!((1..=2999).contains(&k), "{k}");
            top += u32::from(k == 2999);
            newest_third += u32::from(k >= 2000);
            loaded += u32::from(k < 1000);
        }
        let expect = 1.0 / zeta(0, 2999, s.zipfianconstant, 0.0);
        let share = f64::from(top) / f64::from(n);
        assert!((share - expect).abs() < 0.006, "{share} vs {expect}");
        assert!(
            f64::from(newest_third) / f64::from(n) > 0.8,
            "{newest_third}"
        );
        assert!(f64::from(loaded) / f64::from(n) < 0.1, "{loaded}");
        // zeta grew incrementally from 999 items to 2999, and equals zeta computed afresh.
        let KeyChooser::Latest(z) = &ch else {
            panic!("workload d is latest");
        };
        let fresh = Zipfian::new(0, 2998, s.zipfianconstant);
        assert!(
            (z.zetan - fresh.zetan).abs() < 1e-9,
            "{} vs {}",
            z.zetan,
            fresh.zetan
        );
        // eta, as upstream, keeps the item count the generator was built with (999).
        let eta = (1.0 - (2.0f64 / 999.0).powf(1.0 - s.zipfianconstant))
            / (1.0 - zeta(0, 2, s.zipfianconstant, 0.0) / fresh.zetan);
        assert!((z.eta - eta).abs() < 1e-12, "{} vs {eta}", z.eta);
    }

    #[test]
    fn workload_a_key_chooser_hottest_key() {
        // CoreWorkload: ScrambledZipfian(0, recordcount + expectednewkeys), an inclusive
        // range of recordcount + 1 items for workload A, so the hottest key number is
        // fnvhash64(0) % 1001, named user + fnvhash64(that).
        let s = YcsbSpec {
            recordcount: 1000,
            operationcount: 1000,
            ..YcsbSpec::core("a").unwrap()
        };
        let seq = InsertSequence::new(1000);
        let mut ch = KeyChooser::new(&s);
        let mut rng = SmallRng::seed_from_u64(21);
        let mut counts = vec![0u32; 1000];
        for _ in 0..300_000 {
            counts[ch.next(&mut rng, &seq) as usize] += 1;
        }
        let hottest = (0..1000).max_by_key(|&i| counts[i]).unwrap() as u64;
        assert_eq!(hottest, fnvhash64(0) % 1001);
        let share = counts[hottest as usize] as f64 / 300_000.0;
        assert!((share - 1.0 / SCRAMBLED_ZETAN).abs() < 0.005, "{share}");
    }

    #[test]
    fn properties_parse_like_ycsb() {
        let text = "# Yahoo! Cloud System Benchmark\n# Workload A\nrecordcount=1000\noperationcount=1000\nworkload=site.ycsb.workloads.CoreWorkload\n\nreadallfields=true\n\nreadproportion=0.5\nupdateproportion=0.5\nscanproportion=0\ninsertproportion=0\n\nrequestdistribution=zipfian\n";
        let mut s = YcsbSpec::default();
        s.apply_properties(text, "workloada").unwrap();
        assert_eq!(
            (s.recordcount, s.readproportion, s.updateproportion),
            (1000, 0.5, 0.5)
        );
        assert_eq!(s.requestdistribution, Distribution::Zipfian);
        let e = s
            .apply_properties("readproportion=lots\n", "w")
            .unwrap_err()
            .to_string();
        assert!(e.contains("w:1") && e.contains("readproportion"), "{e}");
        let e = s
            .apply_properties("requestdistribution=hotspots\n", "w")
            .unwrap_err()
            .to_string();
        assert!(e.contains("requestdistribution"), "{e}");
        // Upstream properties rdbtune cannot honour are refused unless at their default;
        // typos are kept for a warning that names the nearest property.
        let e = s
            .apply_properties("dotransactions=false\n", "w")
            .unwrap_err()
            .to_string();
        assert!(e.contains("dotransactions") && e.contains("w:1"), "{e}");
        let e = s
            .apply_properties("measurementtype=raw\n", "w")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("measurementtype") && e.contains("--hdr-log"),
            "{e}"
        );
        s.apply_properties("insertstart=0\ntable=usertable\nexporter=site.ycsb.measurements.exporter.TextMeasurementsExporter\nreadproporton=0.5\n", "w")
            .unwrap();
        assert_eq!(s.unknown, ["readproporton"]);
        let w = s.unknown_warnings();
        assert!(
            w[0].contains("\"readproporton\"") && w[0].contains("did you mean readproportion?"),
            "{w:?}"
        );
        s.apply_properties(
            "requestdistribution=hotspot\nhotspotdatafraction=0.1\nexponential.percentile=90\n",
            "w",
        )
        .unwrap();
        assert_eq!(s.requestdistribution, Distribution::Hotspot);
        assert_eq!(
            (s.hotspotdatafraction, s.exponential_percentile),
            (0.1, 90.0)
        );
        assert!(s.apply_properties("novalue\n", "w").is_err());
    }

    #[test]
    fn records_round_trip_in_upstreams_field_order() {
        let s = YcsbSpec {
            fieldcount: 3,
            fieldlength: 5,
            fieldnameprefix: "f".into(),
            ..YcsbSpec::default()
        };
        let layout = record::Layout::new(&s);
        let mut r = Record::new(&s);
        r.build(
            &layout,
            |_| 5,
            |i, n, buf| buf.extend(std::iter::repeat_n(b'a' + i as u8, n)),
        );
        assert_eq!(r.buf.len(), s.record_len());
        let parsed = Record::parse(&r.buf).unwrap();
        let names: Vec<&str> = parsed.iter().map(|(n, _)| n.as_str()).collect();
        // java.util.HashMap's order of f0, f1, f2.
        let want = fields::java_hashmap_order(&s.field_names()).unwrap();
        assert_eq!(
            names,
            want.iter().map(|&i| format!("f{i}")).collect::<Vec<_>>()
        );
        assert_eq!(parsed.iter().find(|(n, _)| n == "f1").unwrap().1, b"bbbbb");
        // An update that changes a field's length re-serialises in the stored order.
        let mut out = Vec::new();
        assert!(Record::replace_field(&r.buf, b"f1", b"xy", &mut out));
        let p2 = Record::parse(&out).unwrap();
        assert_eq!(
            p2.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            names
        );
        assert_eq!(p2.iter().find(|(n, _)| n == "f1").unwrap().1, b"xy");
        assert_eq!(out.len(), r.buf.len() - 3);
        assert!(!Record::replace_field(
            &[0, 0, 0, 9, b'x'],
            b"f1",
            b"",
            &mut out
        ));
        assert!(Record::parse(&[0, 0, 0, 9, b'x']).is_none());
    }

    /// Scan lengths as upstream's generators: uniform over [min, max]; zipfian with the
    /// shortest the most frequent (1 drawn 1/zeta(100) of the time over 1..100).
    #[test]
    fn scan_lengths_uniform_and_zipfian() {
        let mut s = YcsbSpec {
            minscanlength: 1,
            maxscanlength: 100,
            ..YcsbSpec::default()
        };
        s.set("scanlengthdistribution", "zipfian").unwrap();
        let mut z = ScanLengths::new(&s);
        let mut rng = SmallRng::seed_from_u64(8);
        let n = 200_000;
        let ones = (0..n)
            .map(|_| z.next(&mut rng))
            .inspect(|l| assert!((1..=100).contains(l)))
            .filter(|&l| l == 1)
            .count();
        let p = 1.0 / zeta(0, 100, ZIPFIAN_CONSTANT, 0.0);
        let got = ones as f64 / n as f64;
        assert!(
            (got - p).abs() < 5.0 * (p * (1.0 - p) / n as f64).sqrt(),
            "{got} vs {p}"
        );
        assert!(s.set("scanlengthdistribution", "normal").is_err());
    }

    #[test]
    fn scan_lengths_uniform_1_to_100() {
        let mut rng = SmallRng::seed_from_u64(3);
        let n = 200_000;
        let sum: u64 = (0..n).map(|_| scan_length(&mut rng, 1, 100)).sum();
        let mean = sum as f64 / n as f64;
        assert!((mean - 50.5).abs() < 0.5, "{mean}");
        assert!((0..10_000).all(|_| (1..=100).contains(&scan_length(&mut rng, 1, 100))));
    }
}
