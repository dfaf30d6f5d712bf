import Synchronization
import Testing

@testable import Emulator

@Suite struct IDGeneratorTests {
    @Test func alphanumericFormat() {
        let ids = IDGenerator()
        for _ in 0..<1000 {
            let id = ids.alphanumeric(prefix: "chatcmpl-", count: 29)
            #expect(id.hasPrefix("chatcmpl-"))
            #expect(id.count == 38)
            #expect(id.dropFirst(9).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        }
    }

    @Test func hexFormat() {
        let ids = IDGenerator()
        let id = ids.hex(prefix: "req_", count: 32)
        #expect(id.count == 36 && id.hasPrefix("req_"))
        #expect(id.dropFirst(4).allSatisfy { "0123456789abcdef".contains($0) })
    }

    @Test func idsAreUniqueWithinAGenerator() {
        let ids = IDGenerator()
        var seen = Set<String>()
        for _ in 0..<100_000 { seen.insert(ids.alphanumeric(prefix: "", count: 29)) }
        #expect(seen.count == 100_000)
    }

    @Test func idsUseTheWholeAlphabet() {
        let ids = IDGenerator()
        var characters = Set<Character>()
        for _ in 0..<2000 { characters.formUnion(ids.alphanumeric(prefix: "", count: 29)) }
        #expect(characters.count == 62)
    }

    @Test func idsAreUniqueAcrossThreads() async {
        let ids = IDGenerator()
        let all = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<5000).map { _ in ids.alphanumeric(prefix: "chatcmpl-", count: 29) } }
            }
            var out: [String] = []
            for await part in group { out += part }
            return out
        }
        #expect(all.count == 40_000)
        #expect(Set(all).count == all.count)
    }

    @Test func seedsAreDeterministicAndGeneratorsDiffer() {
        let a = IDGenerator(seed: 7), b = IDGenerator(seed: 7)
        #expect(a.alphanumeric(prefix: "x", count: 20) == b.alphanumeric(prefix: "x", count: 20))
        let c = IDGenerator(), d = IDGenerator()
        #expect(c.alphanumeric(prefix: "", count: 29) != d.alphanumeric(prefix: "", count: 29))
    }
}
