//! Components shared by several pages.

pub mod charts;
pub mod layout;
pub mod tenant;
pub mod urls;
