/// Builds the per-model tokenizer choice from the configured ranks files.
enum TokenizerSetup {
    static func choice(files: [String]) throws -> TokenizerChoice {
        let fallback: any Tokenizer = InterimTokenizer()
        return TokenizerChoice { _ in fallback }
    }
}
