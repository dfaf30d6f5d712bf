/// Builds the per-model tokenizer choice from the configured ranks files.
enum TokenizerSetup {
    /// - Throws: when a file cannot be read or is not a ranks file.
    static func choice(files: [String]) throws -> TokenizerChoice {
        let set = try TokenizerSet(files: files)
        return TokenizerChoice { set.tokenizer(forModel: $0) }
    }
}
