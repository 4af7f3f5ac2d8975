//! Workbooks built part by part, as an attacker (or an odd tool) would: any sheet XML, any
//! declared dimension, any compression.
use std::io::Write;

use zip::write::SimpleFileOptions;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

/// An inline-string cell.
pub fn text_cell(reference: &str, text: &str) -> String {
    format!(r#"<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// A sheet part with an optional `<dimension>` and the given rows (each `(row number, cells xml)`).
pub fn sheet_xml(dimension: Option<&str>, rows: &[(u32, String)]) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    );
    if let Some(d) = dimension {
        xml.push_str(&format!(r#"<dimension ref="{d}"/>"#));
    }
    xml.push_str("<sheetData>");
    for (r, cells) in rows {
        xml.push_str(&format!(r#"<row r="{r}">{cells}</row>"#));
    }
    xml.push_str("</sheetData></worksheet>");
    xml
}

/// A workbook whose only sheet is `sheet`; `padding` bytes of XML whitespace are written into
/// the sheet part before its root element ends, compressed (a decompression bomb when large).
pub fn workbook(sheet: &str, padding: usize) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
    ] {
        out.start_file(name, opts).unwrap();
        out.write_all(body.as_bytes()).unwrap();
    }
    out.start_file("xl/worksheets/sheet1.xml", opts.large_file(padding > u32::MAX as usize / 2)).unwrap();
    let (head, tail) = sheet.split_at(sheet.rfind("</worksheet>").unwrap_or(sheet.len()));
    out.write_all(head.as_bytes()).unwrap();
    let block = vec![b' '; 1 << 20];
    let mut left = padding;
    while left > 0 {
        let n = left.min(block.len());
        out.write_all(&block[..n]).unwrap();
        left -= n;
    }
    out.write_all(tail.as_bytes()).unwrap();
    out.finish().unwrap().into_inner()
}

/// The smallest importable roster header: 姓名 and 身份证号 in row 1.
pub fn header_row() -> (u32, String) {
    (1, format!("{}{}", text_cell("A1", "姓名"), text_cell("B1", "身份证号")))
}
