/// The release this build is: what `gatehouse --version` prints and the Debian package's version
/// (`make deb`). Raised with each release.
public enum GatehouseVersion {
    public static let current = "0.19.0"
}
