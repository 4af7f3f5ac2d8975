//! Files in and out: Excel workbooks and Word documents.
pub mod cells;
pub mod docx;
pub mod exports;
pub mod import_page;
pub mod parts;
pub mod progress;
pub mod sheet;
pub mod table;
pub mod uploads;
pub mod xlsx;
