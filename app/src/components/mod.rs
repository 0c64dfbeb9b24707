//! Components shared by several pages.

pub mod band_chart;
pub mod charts;
pub mod forms;
pub mod layout;
pub mod tenant;
pub mod time;
pub mod urls;
