/// The admin API under `/_emulator/`: runtime configuration of the load model.
enum AdminRoutes {
    static func add(to router: inout Router, load: LoadPipeline) {
        router.add("GET", "/_emulator/config", auth: .admin) { request, _ in
            ResponseFactory.json(200, load.settings.value.json.jsonBytes, request: request)
        }
        router.add("PATCH", "/_emulator/config", auth: .admin) { request, _ throws(APIError) in
            let patch = try Params.body(request.body)
            try load.settings.update { (s: inout LoadSettings) throws(APIError) in try s.apply(.object(patch.object)) }
            return ResponseFactory.json(200, load.settings.value.json.jsonBytes, request: request)
        }
    }
}
