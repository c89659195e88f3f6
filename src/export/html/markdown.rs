//! The Markdown subset rdbtune writes, as HTML; the page style and the in-page chart check.

use super::esc;
use std::fmt::Write as _;

/// Inline Markdown: `code` and **bold**, the rest escaped.
fn inline(s: &str) -> String {
    let mut out = String::new();
    let mut code = false;
    let mut bold = false;
    let esc_s = esc(s);
    let mut rest = esc_s.as_str();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("**") {
            out.push_str(if bold { "</strong>" } else { "<strong>" });
            bold = !bold;
            rest = r;
        } else if let Some(r) = rest.strip_prefix('`') {
            out.push_str(if code { "</code>" } else { "<code>" });
            code = !code;
            rest = r;
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    if code {
        out.push_str("</code>");
    }
    if bold {
        out.push_str("</strong>");
    }
    out
}

/// Minimal Markdown (headings, tables, lists, paragraphs, `code`, **bold**) to HTML, for the
/// summary rdbtune itself writes.
pub fn md_to_html(md: &str) -> String {
    let mut o = String::new();
    let mut in_table = false;
    let mut in_list = false;
    for line in md.lines() {
        let t = line.trim_end();
        if !t.starts_with('|') && in_table {
            o.push_str("</tbody></table></div>\n");
            in_table = false;
        }
        if !t.starts_with("- ") && in_list {
            o.push_str("</ul>\n");
            in_list = false;
        }
        if let Some(h) = t.strip_prefix("### ") {
            let _ = writeln!(o, "<h3>{}</h3>", inline(h));
        } else if let Some(h) = t.strip_prefix("## ") {
            let _ = writeln!(o, "<h2>{}</h2>", inline(h));
        } else if let Some(h) = t.strip_prefix("# ") {
            let _ = writeln!(o, "<h1>{}</h1>", inline(h));
        } else if t.starts_with('|') {
            table_row(&mut o, t, &mut in_table);
        } else if let Some(item) = t.strip_prefix("- ") {
            if !in_list {
                o.push_str("<ul>\n");
                in_list = true;
            }
            let _ = writeln!(o, "<li>{}</li>", inline(item));
        } else if !t.is_empty() {
            let _ = writeln!(o, "<p>{}</p>", inline(t));
        }
    }
    if in_table {
        o.push_str("</tbody></table></div>\n");
    }
    if in_list {
        o.push_str("</ul>\n");
    }
    o
}

pub const CSS: &str = "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:1000px;padding:16px 24px;color:#222}\
h1{font-size:24px;margin:8px 0}h2{font-size:19px;margin-top:28px;border-bottom:1px solid #ddd}\
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}\
th:first-child,td:first-child{text-align:left}thead{background:#f3f5f8}.scroll{overflow-x:auto}\
figure{margin:18px 0;border:1px solid #e3e3e3;padding:8px}figcaption{font-weight:600;margin-bottom:4px}\
figure p{color:#555;margin:4px 0 0;font-size:12.5px}svg{max-width:100%;height:auto}\
code{background:#f3f3f3;padding:0 3px}.meta{color:#555;font-size:12.5px}pre{white-space:pre-wrap;font-size:12px}";

pub(super) const CHECK_JS: &str = "(function(){var f=document.querySelectorAll('figure[data-series]'),ok=0;\
for(var i=0;i<f.length;i++){var want=JSON.parse(f[i].getAttribute('data-series'));\
var s=f[i].querySelector('svg');var txt=s?s.textContent:'';var miss=want.filter(function(n){return txt.indexOf(n)<0;});\
var b=s?s.getBoundingClientRect():null;var marks=s?s.querySelectorAll('polyline,polygon,rect,circle,path,line').length:0;\
if(!s||miss.length){console.error('chart '+f[i].id+' is missing series: '+miss.join(', '));}\
else if(b.width<50||b.height<50||marks<want.length+2){console.error('chart '+f[i].id+' is not drawn: '+b.width+'x'+b.height+' px, '+marks+' marks');}\
else{ok++;}}\
document.body.setAttribute('data-charts-ok',ok+'/'+f.length);})();";

/// One Markdown table line: the header opens the table; the separator line is skipped.
fn table_row(o: &mut String, t: &str, in_table: &mut bool) {
    let cells: Vec<&str> = t.trim_matches('|').split('|').map(str::trim).collect();
    if cells
        .iter()
        .all(|c| c.chars().all(|ch| ch == '-' || ch == ':'))
    {
        return;
    }
    if !*in_table {
        o.push_str("<div class=\"scroll\"><table><thead><tr>");
        for c in &cells {
            let _ = write!(o, "<th>{}</th>", inline(c));
        }
        o.push_str("</tr></thead><tbody>\n");
        *in_table = true;
    } else {
        o.push_str("<tr>");
        for c in &cells {
            let _ = write!(o, "<td>{}</td>", inline(c));
        }
        o.push_str("</tr>\n");
    }
}
