import Foundation
import PackagePlugin

/// Records which commit a build comes from, for `--version`: before every build, writes `SourceRevision.swift` with
/// the commit, whether tracked files differ from it, and its date (UTC), read with `git` from the package directory.
///
/// The file is replaced only when its text changes, so an unchanged checkout rebuilds nothing. Outside a git checkout
/// (a source tarball) the commit and date read `unknown`. The commit's date, not the build's, keeps builds of one
/// commit identical.
@main
struct SourceRevision: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "Generated")
        let script = #"""
            dir=$1 out=$2
            mkdir -p "$out"
            commit=$(git -C "$dir" rev-parse --short=12 HEAD 2>/dev/null) || commit=unknown
            date=$(TZ=UTC git -C "$dir" log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null) || date=unknown
            [ -n "$date" ] || date=unknown
            if [ "$commit" != unknown ] && [ -n "$(git -C "$dir" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
                commit="$commit+changes"
            fi
            printf '%s\n' \
                '/// The commit this build comes from; written by the SourceRevision build plugin.' \
                'enum SourceRevision {' \
                "    static let commit = \"$commit\"" \
                "    static let date = \"$date\"" \
                '}' > "$out/SourceRevision.swift.next"
            if cmp -s "$out/SourceRevision.swift.next" "$out/SourceRevision.swift"; then
                rm "$out/SourceRevision.swift.next"
            else
                mv "$out/SourceRevision.swift.next" "$out/SourceRevision.swift"
            fi
            """#
        return [
            .prebuildCommand(
                displayName: "Recording the source revision of \(target.name)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "sh", context.package.directoryURL.path, output.path],
                outputFilesDirectory: output)
        ]
    }
}
