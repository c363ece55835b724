namespace AntiFraud.Exchange.Hub.Shared;

/// <summary>
/// The store or the audit log cannot take writes (disk full, I/O error, Redis down): nothing of the
/// request was acknowledged, and the caller may retry. The service edge answers UNAVAILABLE with the
/// message; the details stay in the hub's log.
/// </summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
