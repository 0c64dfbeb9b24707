//! `blueprint`: parses the command line and runs the command. Any error ends the process with one
//! line on stderr and exit status 3 (DESIGN.md, "Command line").

use std::process::ExitCode;

fn main() -> ExitCode {
    blueprint_server::cli::main()
}
