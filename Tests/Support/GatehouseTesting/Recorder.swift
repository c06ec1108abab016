import Synchronization

/// A thread-safe list that concurrent tasks append to and a test reads.
public final class Recorder<Element: Sendable>: Sendable {
    private let storage = Mutex<[Element]>([])

    public init() {}

    /// Appends and returns how many elements there are now.
    @discardableResult
    public func append(_ element: Element) -> Int {
        storage.withLock { elements in
            elements.append(element)
            return elements.count
        }
    }

    public var values: [Element] { storage.withLock { $0 } }
}
