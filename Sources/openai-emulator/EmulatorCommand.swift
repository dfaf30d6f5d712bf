import ArgumentParser
import Emulator
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The `openai-emulator` command: parses flags (and `EMULATOR_*` variables), starts the server,
/// and shuts it down gracefully on SIGINT or SIGTERM.
@main
struct EmulatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openai-emulator",
        abstract: "A fast emulator of the OpenAI HTTP API, with no model behind it.",
        discussion: """
            Every option can also be set with an environment variable: --max-body-bytes reads \
            EMULATOR_MAX_BODY_BYTES, and so on (the flag wins). API keys: EMULATOR_API_KEYS=key1,key2.
            """,
        version: EmulatorConfiguration.version)

    @OptionGroup var options: EmulatorOptions

    static func main() {
        let arguments = EnvironmentArguments.merge(
            arguments: Array(CommandLine.arguments.dropFirst()), environment: EnvironmentArguments.current(),
            specs: EmulatorOptions.environmentSpecs)
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            exit(withError: error)
        }
    }

    func run() throws {
        let configuration = try options.configuration()
        let logger = LogSetup.bootstrap(level: options.logLevel, format: options.logFormat)
        SignalWaiter.blockShutdownSignals()
        let app = try EmulatorApp(configuration: configuration, logger: logger)
        let port: Int
        do {
            port = try app.start()
        } catch {
            logger.critical("\(error)")
            throw ExitCode(1)
        }
        LogSetup.announce(
            format: options.logFormat, host: configuration.server.host, port: port,
            threads: configuration.server.threads, version: EmulatorConfiguration.version)
        let signal = SignalWaiter.waitForShutdown()
        logger.info("shutting down", metadata: ["signal": "\(signal)", "grace_s": "\(configuration.shutdownGraceSeconds)"])
        app.shutdown()
        logger.info("stopped")
    }
}
