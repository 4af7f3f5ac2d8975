//! The pieces of the Word documents the modules produce (通报, 会议记录, 决定书): the official
//! document fonts (仿宋_GB2312 for Chinese, Times New Roman for Latin text), the first-line
//! indented body paragraph, the centred title, and the packing into bytes.

use docx_rs::{AlignmentType, Docx, Paragraph, Run, RunFonts, SpecialIndentType};

use crate::error::{AppError, AppResult};

/// A run of text in the document font, `size` in half-points (32 = 三号, 28 = 四号).
pub fn run(text: &str, size: usize) -> Run {
    Run::new().add_text(text).size(size).fonts(RunFonts::new().east_asia("仿宋_GB2312").ascii("Times New Roman"))
}

/// A body paragraph (三号, first line indented by two characters).
pub fn body(text: &str) -> Paragraph {
    Paragraph::new().indent(None, Some(SpecialIndentType::FirstLine(640)), None, None).add_run(run(text, 32))
}

/// A centred bold title (二号).
pub fn title(text: &str) -> Paragraph {
    Paragraph::new().align(AlignmentType::Center).add_run(run(text, 40).bold())
}

/// A right-aligned line (the issuer and the date at the foot of a document).
pub fn right(text: &str) -> Paragraph {
    Paragraph::new().align(AlignmentType::Right).add_run(run(text, 32))
}

/// The document as .docx bytes.
pub fn pack(doc: Docx) -> AppResult<Vec<u8>> {
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut out).map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
    Ok(out.into_inner())
}
