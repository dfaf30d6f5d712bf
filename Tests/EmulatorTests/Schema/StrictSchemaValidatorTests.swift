import Testing

@testable import Emulator

struct StrictSchemaValidatorTests {
    private func check(_ text: String, context: String = "response_format 'thing'") throws -> StrictSchemaValidator
        .Problem?
    {
        StrictSchemaValidator.check(try JSONParser.parse(text), context: context)
    }

    @Test func rejectsPropertyMissingFromRequired() throws {
        let problem = try #require(
            try check(
                #"""
                    {"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},
                    "required":["a"],"additionalProperties":false}
                    """#
            ))
        #expect(
            problem.message
                == "Invalid schema for response_format 'thing': In context=(), 'required' is required to be supplied "
                + "and to be an array including every key in properties. Missing 'b'.")
        #expect(problem.location == [])
    }

    @Test func rejectsMissingAdditionalProperties() throws {
        let problem = try #require(
            try check(
                ##"{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}"##,
                context: "function 'get_weather'"))
        #expect(
            problem.message
                == "Invalid schema for function 'get_weather': In context=(), 'additionalProperties' is required to be "
                + "supplied and to be false.")
    }

    @Test func namesTheNestedLocation() throws {
        let problem = try #require(
            try check(
                #"""
                    {"type":"object","additionalProperties":false,"required":["meta"],
                    "properties":{"meta":{"type":"object",
                    "properties":{"x":{"type":"string"}},"required":["x"]}}}
                    """#
            ))
        #expect(problem.location == ["properties", "meta"])
        #expect(problem.message.contains("In context=('properties', 'meta'), 'additionalProperties'"))
    }

    @Test func rejectsNonObjectRoots() throws {
        let anyOf = try #require(
            try check(##"{"anyOf":[{"type":"object","properties":{},"additionalProperties":false}]}"##))
        #expect(anyOf.message.hasSuffix("schema must be a JSON Schema of 'type: \"object\"', got 'type: \"None\"'."))
        let array = try #require(try check(##"{"type":"array","items":{"type":"string"}}"##))
        #expect(array.message.contains("got 'type: \"array\"'"))
    }

    @Test(arguments: ["oneOf", "allOf", "not"])
    func rejectsUnsupportedKeywords(keyword: String) throws {
        let schema =
            #"""
                {"type":"object","additionalProperties":false,"required":["v"],
                "properties":{"v":{"KEY":[{"type":"string"}]}}}
                """#
        let text = schema.replacing("KEY", with: keyword).replacing(
            #""not":[{"type":"string"}]"#, with: #""not":{"type":"string"}"#)
        let problem = try #require(try check(text))
        #expect(problem.message.hasSuffix("In context=('properties', 'v'), '\(keyword)' is not permitted."))
    }

    @Test func rejectsExtraRequiredKeysAndDanglingReferences() throws {
        let extra = try #require(
            try check(
                #"""
                    {"type":"object","additionalProperties":false,"properties":{"a":{"type":"string"}},
                    "required":["a","z"]}
                    """#
            ))
        #expect(extra.message.hasSuffix("Extra required key 'z' supplied."))
        let dangling = try #require(
            try check(
                #"""
                    {"type":"object","additionalProperties":false,"properties":{"a":{"$ref":"#/$defs/nope"}},
                    "required":["a"]}
                    """#
            ))
        #expect(dangling.location == ["properties", "a"])
    }

    @Test func acceptsValidStrictSchemas() throws {
        #expect(try check(##"{"type":"object","properties":{},"additionalProperties":false}"##) == nil)
        #expect(
            try check(
                #"""
                    {"type":"object","properties":{"location":{"type":"string"},"unit":{"type":["string",
                    "null"],"enum":["F","C"]}},"additionalProperties":false,"required":["location",
                    "unit"]}
                    """#
            ) == nil)
        let nested = """
            {"type":"object","additionalProperties":false,"required":["head","tags"],
             "properties":{"head":{"$ref":"#/$defs/node"},
                           "tags":{"type":"array","items":{"type":"string","pattern":"^[a-z]+$"}}},
             "$defs":{"node":{"type":"object","additionalProperties":false,"required":["value","next"],
               "properties":{"value":{"type":"integer","minimum":0},
                             "next":{"anyOf":[{"$ref":"#/$defs/node"},{"type":"null"}]}}}}}
            """
        #expect(try check(nested) == nil)
    }

    @Test func acceptsTheStrictCorpusSchemas() throws {
        for name in [
            "tool-weather-strict", "tool-sql-query-strict", "structured-math-reasoning", "structured-invoice",
            "strict-nullable-anyof", "ref-linked-list-strict", "strings-formats",
        ] {
            let problem = StrictSchemaValidator.check(try SchemaCorpus.schema(named: name), context: "function 'f'")
            #expect(problem == nil, "\(name): \(problem?.message ?? "")")
        }
    }

    @Test func enforcesNestingDepth() throws {
        func nested(_ levels: Int) -> JSONValue {
            var schema: JSONValue = [
                "type": "object", "properties": [:], "additionalProperties": false, "required": [],
            ]
            for _ in 1..<levels {
                schema = [
                    "type": "object", "properties": ["child": schema], "additionalProperties": false,
                    "required": ["child"],
                ]
            }
            return schema
        }
        #expect(StrictSchemaValidator.check(nested(10), context: "function 'f'") == nil)
        let problem = try #require(StrictSchemaValidator.check(nested(11), context: "function 'f'"))
        #expect(problem.location.count == 20)
    }

    @Test func enforcesSizeLimits() throws {
        func flat(_ count: Int, enumSize: Int = 0) -> JSONValue {
            var properties = JSONObject()
            for i in 0..<count { properties["p\(i)"] = ["type": "string"] }
            if enumSize > 0 {
                properties["e"] = ["type": "integer", "enum": .array((0..<enumSize).map { .number(Double($0)) })]
            }
            return .object(
                JSONObject([
                    ("type", "object"), ("properties", .object(properties)), ("additionalProperties", false),
                    ("required", .array(properties.keys.map(JSONValue.string))),
                ]))
        }
        #expect(StrictSchemaValidator.check(flat(5_000 - 1, enumSize: 1_000), context: "function 'f'") == nil)
        let tooMany = try #require(StrictSchemaValidator.check(flat(5_001), context: "function 'f'"))
        #expect(tooMany.message.contains("Expected at most 5000 object properties"))
        let bigEnum = try #require(StrictSchemaValidator.check(flat(1, enumSize: 1_001), context: "function 'f'"))
        #expect(bigEnum.message.contains("Expected at most 1000 enum values in total"))
    }

    @Test func formatsContextsLikePythonTuples() {
        #expect(StrictSchemaValidator.contextTuple([]) == "()")
        #expect(StrictSchemaValidator.contextTuple([.key("items")]) == "('items',)")
        #expect(StrictSchemaValidator.contextTuple([.key("anyOf"), .index(2)]) == "('anyOf', 2)")
    }
}
