import Testing

@testable import Emulator

struct TokenizerSetTests {
    @Test func encodingPerModel() {
        for model in ["gpt-4o", "gpt-4o-mini", "gpt-4.1-nano", "gpt-4.5-preview", "gpt-5", "o1-mini", "o3", "o4-mini",
            "chatgpt-4o-latest", "ft:gpt-4o-mini:org::id"]
        {
            #expect(TokenizerSet.encodingName(forModel: model) == "o200k_base", "\(model)")
        }
        for model in ["gpt-4", "gpt-4-turbo", "gpt-3.5-turbo", "text-embedding-3-small"] {
            #expect(TokenizerSet.encodingName(forModel: model) == "cl100k_base", "\(model)")
        }
        #expect(TokenizerSet.encodingName(forModel: "llama-3") == nil)
    }

    @Test func fallsBackToEstimatorThenToLoaded() throws {
        #expect(TokenizerSet().tokenizer(forModel: "gpt-4o").name == "estimate")
        let set = TokenizerSet([try TokenizerFixtures.cl100k()])
        #expect(set.tokenizer(forModel: "gpt-4").name == "cl100k_base")
        #expect(set.tokenizer(forModel: "gpt-4o").name == "cl100k_base")
        #expect(set.tokenizer(forModel: "my-model").name == "cl100k_base")
    }

    @Test func loadsFilesAndReportsErrors() throws {
        let path = try #require(TokenizerFixtures.cl100kRanksPath(), Comment(rawValue: TokenizerFixtures.ranksHelp))
        let set = try TokenizerSet(files: [path])
        #expect(set.encodings.keys.sorted() == ["cl100k_base"])
        #expect(throws: TokenizerError.unreadableFile(path: "/nonexistent")) {
            try TokenizerSet(files: ["/nonexistent"])
        }
    }
}
