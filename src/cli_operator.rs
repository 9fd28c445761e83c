//! `jembatan operator ...`: the people who use the console. Passwords are typed at a prompt
//! (twice) when a terminal is there, read from standard input with `--password-stdin`, or
//! made up and printed once; only their Argon2id hash is stored.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use clap::Subcommand;

use crate::app::AppState;
use crate::kernel::console::layout::jakarta_time;
use crate::kernel::console::operators::{self, OperatorError};
use crate::kernel::console::Role;

/// `jembatan operator ...`.
#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Add an operator: `operator add NAME --role underwriter --scope A03`.
    Add {
        /// Login name (3 to 64 letters, digits, '.', '_', '-', '@').
        name: String,
        /// hospital | hr-admin | ppob-operator | underwriter | broker-operator | administrator.
        #[arg(long)]
        role: String,
        /// The partner the operator works for: kode_ppk (hospital), tenant (hr-admin),
        /// panel code (underwriter); none for the other roles.
        #[arg(long, default_value = "")]
        scope: String,
        /// Read the password from the first line of standard input instead of a prompt.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Give an operator a new password (prompted, from stdin, or printed once); ends their
    /// sessions and lifts their login lockout.
    Reset {
        /// Login name.
        name: String,
        /// Read the password from the first line of standard input instead of a prompt.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Stop an operator from logging in; their open sessions end at once.
    Disable {
        /// Login name.
        name: String,
    },
    /// Let a disabled operator log in again.
    Enable {
        /// Login name.
        name: String,
    },
    /// List the operators (never their passwords).
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs an operator command.
pub async fn run(state: &AppState, command: OperatorCommand) -> anyhow::Result<ExitCode> {
    let kernel = &state.kernel;
    let outcome = match command {
        OperatorCommand::Add {
            name,
            role,
            scope,
            password_stdin,
        } => {
            let Some(role) = Role::parse(&role) else {
                let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                eprintln!("unknown role {role}: one of {}", names.join(", "));
                return Ok(ExitCode::from(2));
            };
            let chosen = choose_password(password_stdin)?;
            let generated = chosen.is_none();
            operators::add(kernel, &name, role, scope.trim(), chosen)
                .await
                .map(|password| {
                    println!("operator {name} added ({role})");
                    print_once(generated, &password);
                })
        }
        OperatorCommand::Reset { name, password_stdin } => {
            let chosen = choose_password(password_stdin)?;
            let generated = chosen.is_none();
            operators::reset(kernel, &name, chosen).await.map(|password| {
                println!("operator {name}: new password set, sessions ended");
                print_once(generated, &password);
            })
        }
        OperatorCommand::Disable { name } => operators::set_disabled(kernel, &name, true)
            .await
            .map(|()| println!("operator {name} disabled, sessions ended")),
        OperatorCommand::Enable { name } => operators::set_disabled(kernel, &name, false)
            .await
            .map(|()| println!("operator {name} enabled")),
        OperatorCommand::List { json } => operators::list(kernel).await.map(|list| {
            if json {
                println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
                return;
            }
            println!(
                "{:<24} {:<16} {:<10} {:<9} password set",
                "name", "role", "scope", "state"
            );
            for op in list {
                let state = if op.disabled { "disabled" } else { "active" };
                let set = jakarta_time(op.password_set_at_ms);
                println!("{:<24} {:<16} {:<10} {:<9} {set}", op.name, op.role, op.scope, state);
            }
        }),
    };
    match outcome {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(OperatorError::Database(err)) => Err(err.into()),
        Err(err) => {
            eprintln!("{err}");
            Ok(ExitCode::from(2))
        }
    }
}

/// The password the person chose: from stdin with `--password-stdin`, at a prompt (typed
/// twice) on a terminal; `None` (make one up) when neither.
fn choose_password(from_stdin: bool) -> anyhow::Result<Option<String>> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(Some(line.trim_end_matches(['\r', '\n']).to_string()));
    }
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let first = rpassword::prompt_password("Password (empty: make one up): ")?;
    if first.is_empty() {
        return Ok(None);
    }
    let again = rpassword::prompt_password("Again: ")?;
    anyhow::ensure!(first == again, "the two passwords differ");
    Ok(Some(first))
}

fn print_once(generated: bool, password: &str) {
    if generated {
        println!("password (shown once, give it to the operator): {password}");
    }
}
