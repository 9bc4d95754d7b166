//! `cargo xtask`: workspace tasks for rpoco. Run `cargo xtask help` for the list.
//!
//! Each command lives in its own module; this file only dispatches.

mod bench;
mod certs;
mod ci;
mod demo;
mod deny;
mod fuzz;
mod util;

use std::process::ExitCode;

/// One `cargo xtask` command: its name, a one-line description and its entry point.
struct Command {
    name: &'static str,
    about: &'static str,
    run: fn(&[String]) -> Result<(), String>,
}

const COMMANDS: &[Command] = &[
    Command {
        name: "bench",
        about: "benchmarks, each beside a peer measured in the same run",
        run: bench::run,
    },
    Command {
        name: "certs",
        about: "dev CA and test certificates into .dev-certs/ (--out DIR)",
        run: certs::run,
    },
    Command {
        name: "ci",
        about: "everything CI checks: fmt, clippy, all tests and doctests, docs",
        run: ci::run,
    },
    Command {
        name: "demo",
        about: "the main job: the ported sample against a local server (see README)",
        run: demo::run,
    },
    Command {
        name: "deny",
        about: "supply-chain checks with cargo-deny (installs it if missing)",
        run: deny::run,
    },
    Command {
        name: "fuzz",
        about: "coverage-guided fuzzing of every parser of untrusted input",
        run: fuzz::run,
    },
    Command { name: "help", about: "print this list", run: help },
];

fn help(_: &[String]) -> Result<(), String> {
    println!("usage: cargo xtask <command> [args]\n\ncommands:");
    for c in COMMANDS {
        println!("  {:<8} {}", c.name, c.about);
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let name = args.first().map(String::as_str).unwrap_or("help");
    let Some(command) = COMMANDS.iter().find(|c| c.name == name) else {
        eprintln!("xtask: unknown command `{name}`\n");
        let _ = help(&[]);
        return ExitCode::from(2);
    };
    match (command.run)(&args[1.min(args.len())..]) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask {name}: {message}");
            ExitCode::FAILURE
        }
    }
}
