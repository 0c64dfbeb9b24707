//! The `blueprint` binary as a library, so tests can build the real router and configuration:
//! the command line, the one configuration struct, logging, and the web server.

pub mod cli;
pub mod commands;
pub mod config;
pub mod jobs;
pub mod telemetry;
pub mod web;
