// Result<T>: a value or a printable reason, for errors at module edges.
// C++20 has no std::expected; this is the small subset we use.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace patchbay {

// What went wrong, in a word that callers map to an exit code or an HTTP status.
enum class ErrorKind { invalid, not_found, conflict, unauthorized, unavailable, internal };

struct Error {
    std::string message;
    ErrorKind kind = ErrorKind::invalid;
};

inline Error fail(std::string message) { return Error{std::move(message)}; }
inline Error fail(ErrorKind kind, std::string message) { return Error{std::move(message), kind}; }

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const std::string& error() const { return std::get<1>(v_).message; }
    ErrorKind kind() const { return std::get<1>(v_).kind; }
    // The whole error, to pass on unchanged: `return r.failure();`
    Error failure() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), failed_(true) {}

    bool ok() const { return !failed_; }
    explicit operator bool() const { return ok(); }
    const std::string& error() const { return error_.message; }
    ErrorKind kind() const { return error_.kind; }
    Error failure() const { return error_; }

private:
    Error error_;
    bool failed_ = false;
};

}  // namespace patchbay
