import Testing

@testable import Emulator

struct SchemaGeneratorTests {
    private func values(_ text: String, seeds: Range<UInt64> = 0..<30, limits: SchemaGenerator.Limits = .default) throws
        -> [JSONValue]
    {
        let generator = SchemaGenerator(schema: try JSONParser.parse(text), limits: limits)
        return seeds.map { seed in
            var rng = SeededRandom(seed: seed)
            return generator.generate(using: &rng)
        }
    }

    @Test func requiredAlwaysOptionalSometimes() throws {
        let out = try values(
            ##"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},"required":["a"]}"##)
        #expect(out.allSatisfy { $0["a"]?.stringValue != nil })
        let withB = out.filter { $0["b"] != nil }.count
        #expect(withB > 5 && withB < 25)
        #expect(out.allSatisfy { $0.objectValue?.keys.allSatisfy(["a", "b"].contains) == true })
    }

    @Test func propertyNamesGivePlausibleStrings() throws {
        let out = try values(
            #"""
                {"type":"object","properties":{"email":{"type":"string"},"city":{"type":"string"},
                "created_at":{"type":"string"},"description":{"type":"string"},"age":{"type":"integer"}},
                "required":["email","city","created_at","description","age"]}
                """#
        )
        for value in out {
            #expect(value["email"]?.stringValue?.contains("@") == true)
            #expect(PlausibleWords.cities.contains(value["city"]?.stringValue ?? ""))
            #expect(value["created_at"]?.stringValue?.count == 20)
            #expect(value["description"]?.stringValue?.hasSuffix(".") == true)
            #expect((18...90).contains(value["age"]?.intValue ?? -1))
        }
    }

    @Test func recursionEndsAtNullBranch() throws {
        let schema = #"""
            {"$ref":"#/$defs/node",
             "$defs":{"node":{"type":"object","additionalProperties":false,"required":["value","next"],
             "properties":{"value":{"type":"integer"},"next":{"anyOf":[{"$ref":"#/$defs/node"},{"type":"null"}]}}}}}
            """#
        for value in try values(schema) {
            var depth = 0
            var node = value
            while case .object = node, depth < 100 {
                node = node["next"] ?? .null
                depth += 1
            }
            #expect(node == .null)
            #expect(depth <= SchemaGenerator.Limits.default.maxDepth)
        }
    }

    @Test(arguments: [
        ##"{"$ref":"#"}"##, ##"{"anyOf":[{"$ref":"#"}]}"##,
        ##"{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}"##,
        ##"{"type":"object","properties":{"l":{"$ref":"#"},"r":{"$ref":"#"}},"required":["l","r"]}"##,
        ##"{"allOf":[{"$ref":"#"},{"$ref":"#"}]}"##, "false", "true", "{}", "[]", "42", "null",
    ])
    func pathologicalSchemasTerminate(schema: String) throws {
        for value in try values(schema, seeds: 0..<5) {
            #expect(SchemaCorpusTests.nodeCount(value) <= 12_000)
        }
    }

    @Test func limitsBoundTheOutput() throws {
        let limits = SchemaGenerator.Limits(maxDepth: 6, maxNodes: 50, maxStringLength: 10, maxArrayItems: 4)
        let schema = #"""
            {"type":"array","minItems":100,"items":{"type":"object","required":["s","more"],
             "properties":{"s":{"type":"string","minLength":1000},"more":{"$ref":"#"}}}}
            """#
        for value in try values(schema, seeds: 0..<5, limits: limits) {
            #expect(SchemaCorpusTests.nodeCount(value) <= 200)
            #expect(value.arrayValue?.count ?? 0 <= 4)
            #expect(value.jsonString.count < 4_000)
        }
    }

    @Test func oneOfStaysInOneBranch() throws {
        let schema = ##"{"oneOf":[{"type":"integer"},{"type":"number","multipleOf":0.5}]}"##
        let validator = SchemaValidator(schema: try JSONParser.parse(schema))
        for value in try values(schema, seeds: 0..<100) {
            #expect(validator.isValid(value), "\(value.jsonString)")
        }
    }

    @Test func allOfMergesClosedObjects() throws {
        let schema = #"""
            {"allOf":[{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},
                       "additionalProperties":false},
                      {"properties":{"b":{"minimum":3,"maximum":3},"c":{"type":"string"}},"required":["b"]}]}
            """#
        for value in try values(schema) {
            #expect(value["b"] == 3)
            #expect(value["c"] == nil)
        }
    }

    @Test func multipleOfPassesFloatingPointChecks() throws {
        for step in [0.1, 0.01, 0.3, 0.07, 1.5, 0.001] {
            let schema = ##"{"type":"number","minimum":0,"maximum":100,"multipleOf":\##(step)}"##
            for value in try values(schema, seeds: 0..<20) {
                let d = try #require(value.doubleValue)
                #expect((d / step).rounded() == d / step, "\(d) / \(step)")
                #expect(d >= 0 && d <= 100)
            }
        }
    }

    @Test func formatsLookRight() throws {
        var rng = SeededRandom(seed: 1)
        let uuid = try #require(StringFormats.value(for: "uuid", using: &rng))
        #expect(uuid.count == 36 && Array(uuid)[14] == "4")
        #expect(try #require(StringFormats.value(for: "date", using: &rng)).count == 10)
        #expect(try #require(StringFormats.value(for: "ipv4", using: &rng)).split(separator: ".").count == 4)
        #expect(StringFormats.value(for: "no-such-format", using: &rng) == nil)
    }

    @Test func tokenizesPropertyNames() {
        #expect(PlausibleText.tokens("createdAt") == ["created", "at"])
        #expect(PlausibleText.tokens("user_id") == ["user", "id"])
        #expect(PlausibleText.tokens("HTTPStatus") == ["httpstatus"])
        #expect(SchemaGeneration.singular("cities") == "city")
        #expect(SchemaGeneration.singular("addresses") == "address")
    }
}
