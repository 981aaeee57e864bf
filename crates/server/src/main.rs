//! `parley`: the help desk server and the operator's commands.

// Many threads allocate small, short-lived buffers (rows, JSON, HTTP); mimalloc keeps them from contending.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    parley::cli::main()
}
