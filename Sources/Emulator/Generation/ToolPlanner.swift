/// Decides whether an answer calls tools, which ones, and with what arguments.
enum ToolPlanner {
    static func calls(for request: GenerationRequest, rng: inout SeededRandom, ids: IDGenerator) -> [GeneratedToolCall] {
        guard !request.tools.isEmpty else { return [] }
        let chosen: [GenerationRequest.Tool]
        switch request.toolChoice {
        case .none:
            return []
        case .named(let name):
            guard let tool = request.tools.first(where: { $0.name == name }) else { return [] }
            chosen = [tool]
        case .auto:
            if request.lastTurnIsToolResult { return [] }
            chosen = [bestMatch(request, rng: &rng)]
        case .required:
            let first = bestMatch(request, rng: &rng)
            if request.parallelToolCalls && request.tools.count > 1 && rng.unit() < 0.25 {
                let others = request.tools.filter { $0.name != first.name }
                chosen = [first, others[Int(rng.next() % UInt64(others.count))]]
            } else {
                chosen = [first]
            }
        }
        return chosen.map { tool in
            let arguments = SchemaGenerator(schema: tool.parameters).generate(using: &rng)
            return GeneratedToolCall(
                id: callID(&rng, seeded: request.seed != nil, ids: ids), name: tool.name,
                arguments: arguments.jsonString)
        }
    }

    /// The tool whose name and description share most words with the last user message; ties
    /// are broken by the generator.
    static func bestMatch(_ request: GenerationRequest, rng: inout SeededRandom) -> GenerationRequest.Tool {
        let words = Set(wordsOf(request.lastUserText))
        var best: [GenerationRequest.Tool] = []
        var bestScore = -1
        for tool in request.tools {
            let score = Set(wordsOf(tool.name + " " + tool.description)).intersection(words).count
            if score > bestScore {
                best = [tool]
                bestScore = score
            } else if score == bestScore {
                best.append(tool)
            }
        }
        return best[Int(rng.next() % UInt64(best.count))]
    }

    static func wordsOf(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init).filter { $0.count > 2 }
    }

    /// `call_` + 24 alphanumerics; from the seeded generator when the request is seeded, so the
    /// whole answer is reproducible.
    static func callID(_ rng: inout SeededRandom, seeded: Bool, ids: IDGenerator) -> String {
        guard seeded else { return ids.alphanumeric(prefix: "call_", count: 24) }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var out = "call_"
        for _ in 0..<24 { out.append(alphabet[Int(rng.next() % 62)]) }
        return out
    }
}
