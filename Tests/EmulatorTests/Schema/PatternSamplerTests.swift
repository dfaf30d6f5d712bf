import Foundation
import Testing

@testable import Emulator

struct PatternSamplerSchemaTests {
    @Test(arguments: [
        "^[A-Z]{3}$", #"\d+"#, "[a-z]+", #"^\d{3}-\d{4}$"#, #"^(foo|bar)-\d{2}$"#, #"^[^@\s]+@[^@\s]+\.[a-z]{2,}$"#,
        #"^(?:[a-z0-9-]+\.)+[a-z]{2,}$"#, #"^(?<y>\d{4})-(?<m>0[1-9]|1[0-2])$"#, #"^\u0041\x42[\]\-]{2}$"#,
        "^a{2,}?b*+$",
        #"^\p{Lu}\p{Ll}+\b"#, "^.{3,5}$", "^$",
    ])
    func samplesMatch(pattern: String) throws {
        let tree = try #require(PatternSampler.parse(pattern), "\(pattern) didn't parse")
        let regex = try NSRegularExpression(pattern: pattern)
        var rng = SeededRandom(seed: 7)
        for stretch in 0..<10 {
            let sample = PatternSampler.sample(tree, stretch: stretch, maxLength: 200, using: &rng)
            let range = NSRange(sample.startIndex..<sample.endIndex, in: sample)
            #expect(regex.firstMatch(in: sample, range: range) != nil, "\(sample.debugDescription) !~ \(pattern)")
        }
    }

    @Test(arguments: ["(?=a)b", #"(a)\1"#, "(?<=a)b", "a)", "[z-a]", "(ab", "a{3,1}"])
    func rejectsWhatItCannotSample(pattern: String) {
        #expect(PatternSampler.parse(pattern) == nil)
    }

    @Test func respectsMaxLength() throws {
        let tree = try #require(PatternSampler.parse("^a{50}$"))
        var rng = SeededRandom(seed: 1)
        #expect(PatternSampler.sample(tree, stretch: 0, maxLength: 10, using: &rng).count == 10)
    }
}
