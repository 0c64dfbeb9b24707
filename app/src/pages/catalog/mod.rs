//! The catalog pages of a tenant (DESIGN.md, "Web and API"): overview, applications, events and
//! an event, screens and a screen, the combination matrix; and the comparison across tenants.
//! Each reads a range of days (default: the 7 days up to the tenant's latest ingested hour).

pub mod applications;
pub mod compare;
pub mod event;
pub mod events;
pub mod matrix;
pub mod overview;
pub mod screens;
