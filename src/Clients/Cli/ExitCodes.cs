using System.CommandLine;
using Grpc.Core;

namespace AntiFraud.Exchange.Clients.Cli;

/// <summary>Exit codes scripts can rely on, the same for every command.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The hub refused the request (invalid, not found, wrong state), or a check failed.</summary>
    public const int Refused = 1;

    /// <summary>Bad usage or settings; nothing was sent.</summary>
    public const int Usage = 2;

    /// <summary>The hub could not be reached, was unavailable, or did not answer in time.</summary>
    public const int Unreachable = 3;

    /// <summary>The hub did not accept the certificate, or the partner may not do this.</summary>
    public const int Denied = 4;

    public const string Help = "Exit codes: 0 success, 1 refused by the hub or a check failed, 2 bad usage or settings, 3 hub unreachable or unavailable, 4 not authenticated or not permitted.";

    /// <summary>
    /// Runs a command body, turning every failure into its message on stderr and its exit code. Ctrl+C
    /// (the token cancelled) ends a following command normally: exit 0.
    /// </summary>
    public static async Task<int> Guard(Func<Task<int>> body, CancellationToken cancellationToken = default)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested
            && (e is OperationCanceledException || (e is RpcException r && r.StatusCode == StatusCode.Cancelled)))
        {
            return Ok;
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync("afx: " + e.Message);
            return Usage;
        }
        catch (RpcException e)
        {
            await Console.Error.WriteLineAsync($"afx: {e.StatusCode}: {e.Status.Detail}");
            return e.StatusCode switch
            {
                StatusCode.Unauthenticated or StatusCode.PermissionDenied => Denied,
                StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled or StatusCode.ResourceExhausted or StatusCode.Unknown or StatusCode.Internal => Unreachable,
                _ => Refused,
            };
        }
        catch (Exception e) when (e is HttpRequestException or IOException or System.Security.Authentication.AuthenticationException)
        {
            await Console.Error.WriteLineAsync("afx: cannot reach the hub: " + e.Message);
            return Unreachable;
        }
    }

    public static void SetGuardedAction(this Command command, Func<ParseResult, CancellationToken, Task<int>> body) =>
        command.SetAction((result, ct) => Guard(() => body(result, ct), ct));
}
