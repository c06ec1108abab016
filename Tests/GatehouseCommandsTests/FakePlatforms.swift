/// The two platforms the admin command tests' gateways run on fake adapters (`corp`, `tg`), and
/// the admin socket at `socket`: the start of each such test's config.
func fakePlatformsYAML(socket: String) -> String {
    """
    listen: { admin: "\(socket)" }
    platforms:
      corp: { type: dingtalk, side: internal, client_id: d, client_secret: s }
      tg: { type: telegram, side: external, token: "1:x" }

    """
}
