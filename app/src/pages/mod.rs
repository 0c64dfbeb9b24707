//! One module per page, each with the server functions it calls.

pub mod account;
pub mod admin;
pub mod catalog;
pub mod inbox;
pub mod login;
pub mod not_found;

pub mod tenants;
