#pragma once

#include <string>
#include <string_view>

namespace torchestra::cli {

// A JSON string literal for `s`. Bytes outside printable ASCII are escaped as \u00XX (read as
// Latin-1), so the output is valid JSON whatever bytes a file's text held.
inline std::string jsonString(std::string_view s) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\r':
            out += "\\r";
            break;
        default:
            if (c < 0x20 || c >= 0x7f) {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 15];
            } else {
                out += char(c);
            }
        }
    }
    out += '"';
    return out;
}

} // namespace torchestra::cli
