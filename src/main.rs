fn main() -> std::process::ExitCode {
    kosmo_kiosk::cli::main()
}
