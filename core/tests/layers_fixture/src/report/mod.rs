//! Upper layer; its children import each other in a circle.
pub mod a;
pub mod b;

pub fn summary() {}
