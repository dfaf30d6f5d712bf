/// Writes the `list` of `embedding` objects, streaming each vector straight into the buffer.
enum EmbeddingsWriter {
    static func body(_ request: EmbeddingsRequest, dimensions: Int, promptTokens: Int,
                     embedder: inout HashingEmbedder) -> [UInt8] {
        let perVector = request.base64 ? (dimensions * 4 + 2) / 3 * 4 : dimensions * 12
        var w = JSONWriter(capacity: 128 + request.model.utf8.count + request.inputs.count * (perVector + 48))
        w.raw("{\"object\":\"list\",\"data\":[")
        for (i, input) in request.inputs.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{\"object\":\"embedding\",\"index\":")
            w.int(i)
            w.raw(",\"embedding\":")
            embedder.embed(input, dimensions: dimensions) { vector in
                if request.base64 {
                    w.raw("\"")
                    Base64Encoder.appendLittleEndian(vector, to: &w)
                    w.raw("\"")
                } else {
                    w.raw("[")
                    for (k, value) in vector.enumerated() {
                        if k > 0 { w.byte(UInt8(ascii: ",")) }
                        w.float(value)
                    }
                    w.raw("]")
                }
            }
            w.raw("}")
        }
        w.raw("],\"model\":")
        w.string(request.model)
        w.raw(",\"usage\":{\"prompt_tokens\":")
        w.int(promptTokens)
        w.raw(",\"total_tokens\":")
        w.int(promptTokens)
        w.raw("}}")
        return w.finish()
    }
}
