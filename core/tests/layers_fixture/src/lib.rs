//! The fixture's crate root: `hour` is in the lower layer, `report` and `report_more` above it.
pub mod hour;
pub mod report;
pub mod report_more;
