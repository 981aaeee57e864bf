//! `parley`: the help desk server and the operator's commands.

fn main() -> std::process::ExitCode {
    parley::cli::main()
}
