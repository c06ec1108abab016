import Crypto
import Foundation

/// The RFC 6962 Merkle hash tree over the audit log's leaves.
///
/// A leaf's hash is `SHA-256(0x00 ‖ leaf)` and an interior node's is `SHA-256(0x01 ‖ left ‖ right)`;
/// the distinct prefixes keep a leaf from ever being passed off as a node. The tree over `n` leaves
/// splits at `k`, the largest power of two smaller than `n`, so a log that only grows keeps every
/// complete subtree it has ever had and old roots stay provable (see the proofs in
/// `MerkleTree+Proofs.swift`). ``MerkleAccumulator`` computes the same roots in one streaming pass.
public enum MerkleTree {
    /// A SHA-256 digest: a leaf hash, a node hash or a tree root.
    ///
    /// Kept inline (32 bytes, no heap storage) so that streaming millions of leaves through
    /// ``MerkleAccumulator`` does not allocate per hash.
    public struct Hash: Hashable, Sendable, CustomStringConvertible {
        /// The number of bytes in a hash.
        public static let byteCount = 32

        @usableFromInline var storage: SIMD32<UInt8>

        @inlinable init(storage: SIMD32<UInt8>) {
            self.storage = storage
        }

        /// A hash from exactly 32 bytes; `nil` for any other length.
        public init?(bytes: some Collection<UInt8>) {
            guard bytes.count == Self.byteCount else { return nil }
            var storage = SIMD32<UInt8>()
            for (offset, byte) in bytes.enumerated() {
                storage[offset] = byte
            }
            self.storage = storage
        }

        /// A hash from its standard (RFC 4648 §4, padded) base64 form, as checkpoints and proofs
        /// carry it; `nil` unless it decodes to exactly 32 bytes.
        public init?(base64: String) {
            guard let data = Data(base64Encoded: base64) else { return nil }
            self.init(bytes: data)
        }

        /// A hash from 64 hexadecimal digits (either case); `nil` for anything else.
        public init?(hex: String) {
            let digits = Array(hex.utf8)
            guard digits.count == 2 * Self.byteCount else { return nil }
            var storage = SIMD32<UInt8>()
            for offset in 0..<Self.byteCount {
                guard let high = Self.nibble(digits[2 * offset]), let low = Self.nibble(digits[2 * offset + 1]) else {
                    return nil
                }
                storage[offset] = high << 4 | low
            }
            self.storage = storage
        }

        /// The 32 bytes of the hash.
        public var bytes: [UInt8] {
            withUnsafeBytes { Array($0) }
        }

        /// The standard padded base64 form (44 characters), as in a tlog checkpoint's root line.
        public var base64: String {
            withUnsafeBytes { Data($0).base64EncodedString() }
        }

        /// The lowercase hexadecimal form (64 characters).
        public var hex: String {
            let digits = Array("0123456789abcdef".utf8)
            var text = [UInt8]()
            text.reserveCapacity(2 * Self.byteCount)
            for offset in 0..<Self.byteCount {
                let byte = storage[offset]
                text.append(digits[Int(byte >> 4)])
                text.append(digits[Int(byte & 0x0F)])
            }
            return String(decoding: text, as: UTF8.self)
        }

        public var description: String { hex }

        /// Calls `body` with the hash's 32 bytes, without copying them to the heap.
        @inlinable
        public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
            try Swift.withUnsafeBytes(of: storage, body)
        }

        private static func nibble(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }

        init(_ digest: SHA256.Digest) {
            storage = digest.withUnsafeBytes { $0.loadUnaligned(as: SIMD32<UInt8>.self) }
        }
    }

    /// The root of the empty tree: SHA-256 of the empty string,
    /// `e3b0c442…b855` (RFC 6962 §2.1).
    public static let emptyRoot = Hash(SHA256().finalize())

    /// The hash of one leaf, `SHA-256(0x00 ‖ leaf)`, from bytes borrowed in place (a row SQLite
    /// is stepping over), without copying them.
    public static func leafHash(_ leaf: UnsafeRawBufferPointer) -> Hash {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(0x00)) { hasher.update(bufferPointer: $0) }
        hasher.update(bufferPointer: leaf)
        return Hash(hasher.finalize())
    }

    /// The hash of one leaf: `SHA-256(0x00 ‖ leaf)`.
    public static func leafHash(_ leaf: some Collection<UInt8>) -> Hash {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(0x00)) { hasher.update(bufferPointer: $0) }
        let hashedInPlace: Void? = leaf.withContiguousStorageIfAvailable {
            hasher.update(bufferPointer: UnsafeRawBufferPointer($0))
        }
        if hashedInPlace == nil {
            Array(leaf).withUnsafeBytes { hasher.update(bufferPointer: $0) }
        }
        return Hash(hasher.finalize())
    }

    /// The hash of an interior node: `SHA-256(0x01 ‖ left ‖ right)`.
    public static func nodeHash(_ left: Hash, _ right: Hash) -> Hash {
        // One 65-byte update on the stack rather than three calls into the digest.
        withUnsafeTemporaryAllocation(byteCount: 1 + 2 * Hash.byteCount, alignment: 1) { buffer in
            buffer[0] = 0x01
            buffer.storeBytes(of: left.storage, toByteOffset: 1, as: SIMD32<UInt8>.self)
            buffer.storeBytes(of: right.storage, toByteOffset: 1 + Hash.byteCount, as: SIMD32<UInt8>.self)
            var hasher = SHA256()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(buffer))
            return Hash(hasher.finalize())
        }
    }

    /// MTH(D[0:n]), the root of the tree over the given leaf hashes (RFC 6962 §2.1);
    /// ``emptyRoot`` when there are none.
    public static func root(of leafHashes: some RandomAccessCollection<Hash>) -> Hash {
        withContiguousLeaves(leafHashes) { leaves in
            leaves.isEmpty ? emptyRoot : subtreeRoot(leaves, 0..<leaves.count)
        }
    }

    // MARK: - Shared helpers

    /// Runs `body` over the leaf hashes as one buffer, copying them only if the collection is not
    /// contiguous already.
    static func withContiguousLeaves<Result>(
        _ leafHashes: some RandomAccessCollection<Hash>,
        _ body: (UnsafeBufferPointer<Hash>) -> Result
    ) -> Result {
        if let result = leafHashes.withContiguousStorageIfAvailable(body) {
            return result
        }
        return Array(leafHashes).withUnsafeBufferPointer(body)
    }

    /// MTH over `leaves[range]`, a non-empty range, by the definition's split at the largest power
    /// of two below the count. Recursion depth is log2 of the count.
    static func subtreeRoot(_ leaves: UnsafeBufferPointer<Hash>, _ range: Range<Int>) -> Hash {
        if range.count == 1 {
            return leaves[range.lowerBound]
        }
        let split = range.lowerBound + largestPowerOfTwo(below: range.count)
        return nodeHash(
            subtreeRoot(leaves, range.lowerBound..<split),
            subtreeRoot(leaves, split..<range.upperBound)
        )
    }

    /// The largest power of two strictly smaller than `count`, which must be at least 2: where
    /// RFC 6962 splits a tree of `count` leaves.
    static func largestPowerOfTwo(below count: Int) -> Int {
        1 << (Int.bitWidth - 1 - (count - 1).leadingZeroBitCount)
    }
}

/// The root of a growing Merkle tree, computed in one pass with memory bounded by log2 of its size.
///
/// It keeps only the roots of the complete (power-of-two) subtrees the leaves so far make up, one
/// per set bit of ``size``, largest first — the tree's "compact range". Appending a leaf merges
/// equal-sized subtrees like a binary carry, so it costs one leaf on average and at most log2(n)
/// node hashes; ``root()`` folds the at most 64 stored roots right to left, which is exactly how
/// RFC 6962 shapes an incomplete tree. The storage is reserved once, so appending does not allocate.
public struct MerkleAccumulator: Sendable {
    /// The number of leaves appended so far.
    public private(set) var size: Int

    // subtrees[i] is the root of the i-th complete subtree from the left; their sizes are the set
    // bits of `size` from the most significant down.
    private var subtrees: ContiguousArray<MerkleTree.Hash>

    /// An accumulator for the empty tree.
    public init() {
        size = 0
        subtrees = []
        subtrees.reserveCapacity(Int.bitWidth)
    }

    /// Resumes from a saved state: `subtreeRoots` as read from ``subtreeRoots`` at `size` leaves.
    /// `nil` unless there is one root per set bit of `size`.
    public init?(size: Int, subtreeRoots: [MerkleTree.Hash]) {
        guard size >= 0, subtreeRoots.count == size.nonzeroBitCount else { return nil }
        self.init()
        self.size = size
        subtrees.append(contentsOf: subtreeRoots)
    }

    /// The roots of the complete subtrees covering the leaves so far, largest (leftmost) first;
    /// enough to resume with ``init(size:subtreeRoots:)``.
    public var subtreeRoots: [MerkleTree.Hash] {
        Array(subtrees)
    }

    /// Appends the next leaf, given its hash (``MerkleTree/leafHash(_:)``).
    public mutating func append(leafHash: MerkleTree.Hash) {
        append(leafHash: leafHash) { _, _, _ in }
    }

    /// Appends the next leaf and hands `completed` every subtree the leaf completes: its height
    /// (log2 of its leaf count, from 1), its position among the subtrees of that height (the
    /// first covers leaves 0..<2^height) and its hash, smallest first.
    public mutating func append(
        leafHash: MerkleTree.Hash,
        completed: (_ height: Int, _ position: Int, _ hash: MerkleTree.Hash) throws -> Void
    ) rethrows {
        subtrees.append(leafHash)
        size += 1
        // Each trailing one bit of the old size is a subtree as large as the one just completed:
        // merge them, as a carry ripples through a binary counter.
        var carries = size - 1
        var height = 0
        while carries & 1 == 1 {
            let right = subtrees.removeLast()
            let last = subtrees.count - 1
            subtrees[last] = MerkleTree.nodeHash(subtrees[last], right)
            carries >>= 1
            height += 1
            try completed(height, (size >> height) - 1, subtrees[last])
        }
    }

    /// Appends the next leaf, hashing it first.
    public mutating func append(leaf: some Collection<UInt8>) {
        append(leafHash: MerkleTree.leafHash(leaf))
    }

    /// MTH of the leaves so far; equal to ``MerkleTree/root(of:)`` over the same leaf hashes.
    public func root() -> MerkleTree.Hash {
        guard var root = subtrees.last else { return MerkleTree.emptyRoot }
        for index in subtrees.indices.dropLast().reversed() {
            root = MerkleTree.nodeHash(subtrees[index], root)
        }
        return root
    }
}
