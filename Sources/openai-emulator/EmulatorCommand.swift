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
            let withFile = try EnvironmentArguments.mergeConfigFile(
                arguments: arguments, specs: EmulatorOptions.environmentSpecs, load: ConfigFile.load)
            var command = try parseAsRoot(withFile)
            try command.run()
        } catch {
            exit(withError: error)
        }
    }

    func run() throws {
        let configuration = try options.configuration()
        let logger = LogSetup.bootstrap(level: options.logLevel, format: options.logFormat)
        SignalWaiter.blockHandledSignals()
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
            threads: configuration.server.threads, version: EmulatorConfiguration.version,
            tls: configuration.server.tlsKeyPEM != nil)
        while true {
            switch SignalWaiter.next() {
            case .hangUp:
                do {
                    try app.reload()
                    logger.info("reloaded the config and fixtures files")
                } catch {
                    logger.error("reload failed; keeping the previous settings", metadata: ["error": "\(error)"])
                }
                continue
            case .interrupt:
                logger.info("shutting down (SIGINT)", metadata: ["grace_s": "\(configuration.shutdownGraceSeconds)"])
                app.shutdown()
            case .terminate:
                logger.info("draining (SIGTERM): /ready answers 503", metadata: [
                    "drain_delay_s": "\(options.drainDelay)", "grace_s": "\(configuration.shutdownGraceSeconds)",
                ])
                app.readiness.set(false)
                if options.drainDelay > 0 { usleep(UInt32(min(options.drainDelay, 3600) * 1_000_000)) }
                app.shutdown()
            }
            break
        }
        logger.info("stopped")
    }
}
