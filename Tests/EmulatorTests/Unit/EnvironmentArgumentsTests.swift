import ArgumentParser
import Testing

@testable import openai_emulator

@Suite struct EnvironmentArgumentsTests {
    let specs = EmulatorOptions.environmentSpecs

    func merge(_ args: [String], _ env: [String: String]) -> [String] {
        EnvironmentArguments.merge(arguments: args, environment: env, specs: specs)
    }

    @Test func environmentFillsMissingOptions() {
        #expect(merge([], ["EMULATOR_PORT": "9000", "EMULATOR_ITL_MS": "5"]) == ["--port", "9000", "--itl-ms", "5"])
    }

    @Test func flagsWinOverTheEnvironment() {
        #expect(merge(["--port", "1"], ["EMULATOR_PORT": "9000"]) == ["--port", "1"])
        #expect(merge(["--port=1"], ["EMULATOR_PORT": "9000"]) == ["--port=1"])
    }

    @Test func apiKeysAreAList() {
        #expect(merge([], ["EMULATOR_API_KEYS": "a,b,,c"]) == ["--api-key", "a", "--api-key", "b", "--api-key", "c"])
        #expect(merge(["--api-key", "x"], ["EMULATOR_API_KEYS": "a,b"]) == ["--api-key", "x"])
    }

    @Test func booleanFlags() {
        for yes in ["1", "true", "TRUE", "yes", "on"] { #expect(merge([], ["EMULATOR_VERBOSE": yes]) == ["--verbose"]) }
        for no in ["0", "false", "no", "off", "whatever"] { #expect(merge([], ["EMULATOR_VERBOSE": no]) == []) }
    }

    @Test func emptyAndUnrelatedVariablesAreIgnored() {
        #expect(merge([], ["EMULATOR_PORT": "", "PORT": "1", "EMULATOR_UNKNOWN": "x"]) == [])
    }

    @Test func mergedArgumentsParse() throws {
        let args = merge(["--host", "0.0.0.0"], ["EMULATOR_PORT": "9100", "EMULATOR_API_KEYS": "k1,k2",
                                                  "EMULATOR_SHUTDOWN_GRACE": "0.5", "EMULATOR_LOG_FORMAT": "json"])
        let options = try EmulatorOptions.parse(args)
        let c = try options.configuration()
        #expect(c.server.host == "0.0.0.0" && c.server.port == 9100)
        #expect(c.apiKeys == ["k1", "k2"])
        #expect(c.shutdownGraceSeconds == 0.5)
        #expect(options.logFormat == .json)
    }

    @Test(arguments: [["--port", "70000"], ["--threads", "0"], ["--ttft-ms", "-1"], ["--log-format", "xml"],
                      ["--max-body-bytes", "0"], ["--shutdown-grace", "-2"]])
    func invalidValuesAreRejected(args: [String]) {
        #expect(throws: (any Error).self) { _ = try EmulatorOptions.parse(args) }
    }
}
