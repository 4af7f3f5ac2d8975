//! Files in and out: Excel workbooks (and, with later modules, Word documents).
pub mod cells;
pub mod import_page;
pub mod progress;
pub mod sheet;
pub mod table;
pub mod uploads;
pub mod xlsx;
