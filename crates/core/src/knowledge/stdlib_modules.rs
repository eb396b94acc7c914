//! The names of the Python standard library's top-level modules, for telling stdlib frames apart.
//!
//! The list covers Python 3.8 to 3.13. It is the union of `sys.stdlib_module_names` of CPython 3.10, 3.11,
//! 3.12 and 3.13, generated with
//! `python3 -c 'import sys; print("\n".join(sorted(sys.stdlib_module_names)))'` under each version and merged
//! with `LC_ALL=C sort -u`. Python 3.8 and 3.9 have no `sys.stdlib_module_names`, so the six top-level modules
//! they ship that 3.10 removed (`_bootlocale`, `_dummy_thread`, `dummy_threading`, `formatter`, `parser`,
//! `symbol`) were added by hand after listing their `Lib/` and `lib-dynload/` folders. The `test` package
//! is deliberately absent, as it is from `sys.stdlib_module_names`, because projects commonly have their own.

/// Top-level standard-library module names, sorted by byte order so that binary search works.
#[rustfmt::skip]
static STDLIB_MODULES: &[&str] = &[
    "__future__", "_abc", "_aix_support", "_android_support", "_ast", "_asyncio", "_bisect",
    "_blake2", "_bootlocale", "_bootsubprocess", "_bz2", "_codecs", "_codecs_cn", "_codecs_hk",
    "_codecs_iso2022", "_codecs_jp", "_codecs_kr", "_codecs_tw", "_collections", "_collections_abc",
    "_colorize", "_compat_pickle", "_compression", "_contextvars", "_crypt", "_csv", "_ctypes",
    "_curses", "_curses_panel", "_datetime", "_dbm", "_decimal", "_dummy_thread", "_elementtree",
    "_frozen_importlib", "_frozen_importlib_external", "_functools", "_gdbm", "_hashlib", "_heapq",
    "_imp", "_interpchannels", "_interpqueues", "_interpreters", "_io", "_ios_support", "_json",
    "_locale", "_lsprof", "_lzma", "_markupbase", "_md5", "_msi", "_multibytecodec",
    "_multiprocessing", "_opcode", "_opcode_metadata", "_operator", "_osx_support", "_overlapped",
    "_pickle", "_posixshmem", "_posixsubprocess", "_py_abc", "_pydatetime", "_pydecimal", "_pyio",
    "_pylong", "_pyrepl", "_queue", "_random", "_scproxy", "_sha1", "_sha2", "_sha256", "_sha3",
    "_sha512", "_signal", "_sitebuiltins", "_socket", "_sqlite3", "_sre", "_ssl", "_stat",
    "_statistics", "_string", "_strptime", "_struct", "_suggestions", "_symtable", "_sysconfig",
    "_thread", "_threading_local", "_tkinter", "_tokenize", "_tracemalloc", "_typing", "_uuid",
    "_warnings", "_weakref", "_weakrefset", "_winapi", "_wmi", "_zoneinfo", "abc", "aifc",
    "antigravity", "argparse", "array", "ast", "asynchat", "asyncio", "asyncore", "atexit",
    "audioop", "base64", "bdb", "binascii", "binhex", "bisect", "builtins", "bz2", "cProfile",
    "calendar", "cgi", "cgitb", "chunk", "cmath", "cmd", "code", "codecs", "codeop", "collections",
    "colorsys", "compileall", "concurrent", "configparser", "contextlib", "contextvars", "copy",
    "copyreg", "crypt", "csv", "ctypes", "curses", "dataclasses", "datetime", "dbm", "decimal",
    "difflib", "dis", "distutils", "doctest", "dummy_threading", "email", "encodings", "ensurepip",
    "enum", "errno", "faulthandler", "fcntl", "filecmp", "fileinput", "fnmatch", "formatter",
    "fractions", "ftplib", "functools", "gc", "genericpath", "getopt", "getpass", "gettext", "glob",
    "graphlib", "grp", "gzip", "hashlib", "heapq", "hmac", "html", "http", "idlelib", "imaplib",
    "imghdr", "imp", "importlib", "inspect", "io", "ipaddress", "itertools", "json", "keyword",
    "lib2to3", "linecache", "locale", "logging", "lzma", "mailbox", "mailcap", "marshal", "math",
    "mimetypes", "mmap", "modulefinder", "msilib", "msvcrt", "multiprocessing", "netrc", "nis",
    "nntplib", "nt", "ntpath", "nturl2path", "numbers", "opcode", "operator", "optparse", "os",
    "ossaudiodev", "parser", "pathlib", "pdb", "pickle", "pickletools", "pipes", "pkgutil",
    "platform", "plistlib", "poplib", "posix", "posixpath", "pprint", "profile", "pstats", "pty",
    "pwd", "py_compile", "pyclbr", "pydoc", "pydoc_data", "pyexpat", "queue", "quopri", "random",
    "re", "readline", "reprlib", "resource", "rlcompleter", "runpy", "sched", "secrets", "select",
    "selectors", "shelve", "shlex", "shutil", "signal", "site", "smtpd", "smtplib", "sndhdr",
    "socket", "socketserver", "spwd", "sqlite3", "sre_compile", "sre_constants", "sre_parse", "ssl",
    "stat", "statistics", "string", "stringprep", "struct", "subprocess", "sunau", "symbol",
    "symtable", "sys", "sysconfig", "syslog", "tabnanny", "tarfile", "telnetlib", "tempfile",
    "termios", "textwrap", "this", "threading", "time", "timeit", "tkinter", "token", "tokenize",
    "tomllib", "trace", "traceback", "tracemalloc", "tty", "turtle", "turtledemo", "types",
    "typing", "unicodedata", "unittest", "urllib", "uu", "uuid", "venv", "warnings", "wave",
    "weakref", "webbrowser", "winreg", "winsound", "wsgiref", "xdrlib", "xml", "xmlrpc", "zipapp",
    "zipfile", "zipimport", "zlib", "zoneinfo",
];

/// Whether `top_level` (a top-level module name such as `json` or `_thread`) is part of the standard library
/// of some Python from 3.8 to 3.13. The comparison is exact and case-sensitive, as Python's imports are.
pub fn is_stdlib_module(top_level: &str) -> bool {
    STDLIB_MODULES.binary_search(&top_level).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(name: &str, expected: bool) {
        assert_eq!(is_stdlib_module(name), expected, "is_stdlib_module({name:?})");
    }

    #[test]
    fn list_is_sorted_and_unique() {
        assert!(STDLIB_MODULES.windows(2).all(|w| w[0] < w[1]));
        assert!(STDLIB_MODULES.len() > 300);
    }

    #[test]
    fn common_modules() {
        check("json", true);
        check("threading", true);
        check("importlib", true);
        check("socketserver", true);
        check("contextlib", true);
        check("smtplib", true);
        check("socket", true);
        check("runpy", true);
        check("sqlite3", true);
        check("asyncio", true);
        check("__future__", true);
        check("_thread", true);
    }

    #[test]
    fn removed_modules_still_count() {
        check("distutils", true);
        check("asynchat", true);
        check("imp", true);
        check("cgi", true);
        check("formatter", true);
        check("parser", true);
        check("binhex", true);
    }

    #[test]
    fn not_stdlib() {
        check("django", false);
        check("psycopg2", false);
        check("test", false);
        check("manage", false);
        check("Json", false);
        check("", false);
        check("json.encoder", false);
    }
}
