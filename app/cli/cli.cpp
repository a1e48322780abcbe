// SPDX-License-Identifier: Apache-2.0
#include "cli.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace vigil::cli {

std::optional<std::string> ParsedArgs::get(const std::string& name) const
{
    const auto it = values.find(name);
    if (it == values.end() || it->second.empty())
        return std::nullopt;
    return it->second.back();
}

std::vector<std::string> ParsedArgs::all(const std::string& name) const
{
    const auto it = values.find(name);
    return it == values.end() ? std::vector<std::string>{} : it->second;
}

Result<ParsedArgs> parseArgs(const std::vector<std::string>& args,
                             const std::vector<OptionSpec>& spec)
{
    ParsedArgs out;
    bool onlyPositional = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (onlyPositional || a == "-" || !a.starts_with("-")) {
            out.positional.push_back(a);
            continue;
        }
        if (a == "--") {
            onlyPositional = true;
            continue;
        }
        if (a == "--help" || a == "-h") {
            out.help = true;
            continue;
        }
        std::string name = a.substr(a.starts_with("--") ? 2 : 1);
        std::optional<std::string> inlineValue;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            inlineValue = name.substr(eq + 1);
            name.resize(eq);
        }
        const OptionSpec* opt = nullptr;
        for (const OptionSpec& s : spec)
            if (s.name == name)
                opt = &s;
        if (!opt)
            return fail("usage", "unknown option " + a + " (see --help)");
        if (!opt->takesValue) {
            if (inlineValue)
                return fail("usage", "option --" + name + " takes no value");
            out.values[name].push_back("");
            continue;
        }
        std::string value;
        if (inlineValue)
            value = *inlineValue;
        else if (i + 1 < args.size())
            value = args[++i];
        else
            return fail("usage", "option --" + name + " needs a value");
        auto& slot = out.values[name];
        if (!opt->repeatable && !slot.empty())
            return fail("usage", "option --" + name + " given twice");
        slot.push_back(value);
    }
    return out;
}

int error(std::string_view command, std::string_view message)
{
    std::cerr << "vigil-cli " << command << ": " << message << '\n';
    return InputError;
}

void printHelp(std::string_view usage, std::string_view summary, const std::vector<OptionSpec>& spec)
{
    std::cout << "usage: " << usage << "\n\n" << summary << "\n";
    if (!spec.empty())
        std::cout << "\noptions:\n";
    for (const OptionSpec& s : spec) {
        std::string left = "  --" + s.name + (s.takesValue ? " VALUE" : "");
        if (left.size() < 26)
            left.resize(26, ' ');
        else
            left += "  ";
        std::cout << left << s.help << '\n';
    }
    std::cout << "  --help                  show this help\n";
}

bool stderrIsTerminal() { return ::isatty(2) == 1; }
bool stdoutIsTerminal() { return ::isatty(1) == 1; }

std::string withThousands(std::int64_t n)
{
    const std::string digits = std::to_string(n < 0 ? -n : n);
    std::string out;
    out.reserve(digits.size() + digits.size() / 3 + 1);
    if (n < 0)
        out.push_back('-');
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out.push_back(',');
        out.push_back(digits[i]);
    }
    return out;
}

void ProgressBar::update(double fraction, double eps, std::string_view label)
{
    if (!m_enabled)
        return;
    fraction = std::clamp(fraction, 0.0, 1.0);
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, ' ');
    std::fprintf(stderr, "\r[%s] %3d%%  %s events/s  %.*s\x1b[K", bar.c_str(),
                 static_cast<int>(fraction * 100), withThousands(static_cast<std::int64_t>(eps)).c_str(),
                 static_cast<int>(std::min<std::size_t>(label.size(), 40)), label.data());
    std::fflush(stderr);
    m_drawn = true;
}

void ProgressBar::finish()
{
    if (m_enabled && m_drawn)
        std::fprintf(stderr, "\r\x1b[K");
    m_drawn = false;
}

} // namespace vigil::cli
