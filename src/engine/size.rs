//! Byte sizes that read and write like people do: `"64MiB"`, `"1GiB"`, `"4KiB"` or a plain
//! number of bytes. Binary suffixes (`KiB`, `MiB`, `GiB`, `TiB`, and RocksDB's own `K`, `M`,
//! `G`, `T`) are powers of 1024; decimal suffixes (`KB`, `MB`, `GB`, `TB`) are powers of 1000.

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A size in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Size(pub u64);

const KIB: u64 = 1024;
const UNITS: [(&str, u64); 4] = [
    ("TiB", KIB * KIB * KIB * KIB),
    ("GiB", KIB * KIB * KIB),
    ("MiB", KIB * KIB),
    ("KiB", KIB),
];

impl Size {
    pub const fn kib(n: u64) -> Size {
        Size(n * KIB)
    }
    pub const fn mib(n: u64) -> Size {
        Size(n * KIB * KIB)
    }
    pub const fn gib(n: u64) -> Size {
        Size(n * KIB * KIB * KIB)
    }
    pub fn bytes(self) -> u64 {
        self.0
    }
}

/// Why a size string did not parse, with the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeParseError(pub String);

impl fmt::Display for SizeParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid size {:?}: use a number of bytes or a number with a unit, e.g. 4096, \"4KiB\", \"64MiB\", \"1GiB\" (KB/MB/GB are powers of 1000)",
            self.0
        )
    }
}

impl std::error::Error for SizeParseError {}

impl FromStr for Size {
    type Err = SizeParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || SizeParseError(s.to_string());
        let t = s.trim().replace('_', "");
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        if num.is_empty() {
            return Err(err());
        }
        let mult: u64 = match unit.trim() {
            "" | "B" | "b" => 1,
            "K" | "k" | "KiB" | "kiB" | "Ki" => KIB,
            "M" | "m" | "MiB" | "Mi" => KIB * KIB,
            "G" | "g" | "GiB" | "Gi" => KIB * KIB * KIB,
            "T" | "t" | "TiB" | "Ti" => KIB * KIB * KIB * KIB,
            "KB" | "kB" | "kb" => 1000,
            "MB" | "mb" => 1_000_000,
            "GB" | "gb" => 1_000_000_000,
            "TB" | "tb" => 1_000_000_000_000,
            _ => return Err(err()),
        };
        if num.contains('.') {
            let v: f64 = num.parse().map_err(|_| err())?;
            let bytes = v * mult as f64;
            if !bytes.is_finite() || bytes < 0.0 || bytes > u64::MAX as f64 {
                return Err(err());
            }
            Ok(Size(bytes.round() as u64))
        } else {
            let v: u64 = num.parse().map_err(|_| err())?;
            v.checked_mul(mult).map(Size).ok_or_else(err)
        }
    }
}

impl fmt::Display for Size {
    /// The largest binary unit that divides the size exactly, else plain bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 != 0 {
            for (name, mult) in UNITS {
                if self.0 % mult == 0 {
                    return write!(f, "{}{}", self.0 / mult, name);
                }
            }
        }
        write!(f, "{}", self.0)
    }
}

impl Serialize for Size {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 != 0 && self.0 % KIB == 0 {
            s.serialize_str(&self.to_string())
        } else {
            s.serialize_u64(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Size;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a size: a number of bytes or a string like \"64MiB\"")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Size, E> {
                Ok(Size(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Size, E> {
                u64::try_from(v)
                    .map(Size)
                    .map_err(|_| E::custom(format!("invalid size {v}: sizes cannot be negative")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Size, E> {
                if v >= 0.0 && v.fract() == 0.0 && v < u64::MAX as f64 {
                    Ok(Size(v as u64))
                } else {
                    Err(E::custom(format!(
                        "invalid size {v}: use a whole number of bytes"
                    )))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Size, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// Formats a byte count for people: `1.50 GiB`, `12.0 MiB`, `512 B`.
pub fn human_bytes(b: u64) -> String {
    let b = b as f64;
    let k = 1024.0;
    if b < k {
        format!("{b:.0} B")
    } else if b < k * k {
        format!("{:.1} KiB", b / k)
    } else if b < k * k * k {
        format!("{:.1} MiB", b / (k * k))
    } else {
        format!("{:.2} GiB", b / (k * k * k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!("4096".parse::<Size>().unwrap(), Size(4096));
        assert_eq!("64MiB".parse::<Size>().unwrap(), Size::mib(64));
        assert_eq!("64M".parse::<Size>().unwrap(), Size::mib(64));
        assert_eq!("1GiB".parse::<Size>().unwrap(), Size::gib(1));
        assert_eq!("1.5KiB".parse::<Size>().unwrap(), Size(1536));
        assert_eq!("10MB".parse::<Size>().unwrap(), Size(10_000_000));
        assert_eq!("1_000".parse::<Size>().unwrap(), Size(1000));
        assert_eq!(" 8 KiB ".parse::<Size>().unwrap(), Size(8192));
    }

    #[test]
    fn rejects_garbage_naming_it() {
        for bad in [
            "",
            "MiB",
            "12XB",
            "-4",
            "1e3",
            "99999999999999999999",
            "1.2.3M",
        ] {
            let e = bad.parse::<Size>().unwrap_err();
            assert!(e.to_string().contains(&format!("{bad:?}")), "{e}");
        }
    }

    #[test]
    fn display_round_trips() {
        for s in [
            Size(0),
            Size(1),
            Size(1000),
            Size::kib(4),
            Size::mib(64),
            Size::gib(2),
            Size(1536),
        ] {
            assert_eq!(s.to_string().parse::<Size>().unwrap(), s);
        }
        assert_eq!(Size::mib(256).to_string(), "256MiB");
        assert_eq!(Size(1000).to_string(), "1000");
    }

    #[test]
    fn serde_accepts_numbers_and_strings() {
        #[derive(Deserialize, Serialize, PartialEq, Debug)]
        struct T {
            a: Size,
            b: Size,
        }
        let t: T = toml::from_str("a = 1024\nb = \"2MiB\"").unwrap();
        assert_eq!(
            t,
            T {
                a: Size(1024),
                b: Size::mib(2)
            }
        );
        let back = toml::to_string(&t).unwrap();
        assert_eq!(back, "a = \"1KiB\"\nb = \"2MiB\"\n");
        assert!(toml::from_str::<T>("a = -1\nb = 1").is_err());
    }

    #[test]
    fn human() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(3 << 30), "3.00 GiB");
    }
}
