//! SeaORM entities, one module per table; the schema itself lives in `blueprint-migration`.

pub mod tenant;
pub mod user;
