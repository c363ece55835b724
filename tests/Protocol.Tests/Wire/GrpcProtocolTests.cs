using AntiFraud.Exchange.Protocol.Wire;

namespace AntiFraud.Exchange.Protocol.Tests.Wire;

public sealed class GrpcProtocolTests
{
    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("250m", 2_500_000L)]
    [InlineData("1500u", 15_000L)]
    [InlineData("99999999n", 999_999L)]
    public void TryParseTimeout_EachUnit_GivesTheDuration(string value, long ticks)
    {
        Assert.True(GrpcProtocol.TryParseTimeout(value, out var timeout));
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("123456789S")]
    [InlineData("10x")]
    [InlineData("-5S")]
    [InlineData("1.5S")]
    public void TryParseTimeout_Malformed_IsRejected(string value)
    {
        Assert.False(GrpcProtocol.TryParseTimeout(value, out _));
    }

    [Theory]
    [InlineData(0.5, "500000n")]
    [InlineData(250, "250000u")]
    [InlineData(120_000, "120000m")]
    [InlineData(1_000_000_000.0, "1000000S")]
    [InlineData(400_000_000_000.0, "6666667M")]
    public void FormatTimeout_PicksAUnitThatFitsEightDigits(double milliseconds, string expected)
    {
        var formatted = GrpcProtocol.FormatTimeout(TimeSpan.FromMilliseconds(milliseconds));
        Assert.Equal(expected, formatted);
        Assert.True(formatted.Length <= 9);
    }

    [Fact]
    public void FormatTimeout_RoundTripsThroughParse_NeverShorter()
    {
        foreach (var ms in new[] { 1.0, 17.3, 999.9, 60_000, 3_600_000, 86_400_000 })
        {
            var timeout = TimeSpan.FromMilliseconds(ms);
            Assert.True(GrpcProtocol.TryParseTimeout(GrpcProtocol.FormatTimeout(timeout), out var parsed));
            Assert.True(parsed >= timeout, $"{ms} ms came back as {parsed}");
        }
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("100%", "100%25")]
    [InlineData("金额", "%E9%87%91%E9%A2%9D")]
    [InlineData("line\nbreak", "line%0Abreak")]
    public void EncodeMessage_PercentEncodesOutsidePrintableAscii(string message, string encoded)
    {
        Assert.Equal(encoded, GrpcProtocol.EncodeMessage(message));
        Assert.Equal(message, GrpcProtocol.DecodeMessage(encoded));
    }

    [Fact]
    public void DecodeMessage_MalformedEscape_IsKeptLiterally()
    {
        Assert.Equal("50%zz done", GrpcProtocol.DecodeMessage("50%zz done"));
    }

    [Theory]
    [InlineData("AAEC+g==")]
    [InlineData("AAEC+g")]
    public void DecodeBinaryHeader_AcceptsPaddedAndUnpadded(string value)
    {
        Assert.Equal(new byte[] { 0, 1, 2, 250 }, GrpcProtocol.DecodeBinaryHeader(value));
    }

    [Fact]
    public void EncodeBinaryHeader_EmitsUnpadded()
    {
        Assert.Equal("AAEC+g", GrpcProtocol.EncodeBinaryHeader([0, 1, 2, 250]));
    }

    [Theory]
    [InlineData(400, StatusCode.Internal)]
    [InlineData(401, StatusCode.Unauthenticated)]
    [InlineData(403, StatusCode.PermissionDenied)]
    [InlineData(404, StatusCode.Unimplemented)]
    [InlineData(429, StatusCode.Unavailable)]
    [InlineData(502, StatusCode.Unavailable)]
    [InlineData(503, StatusCode.Unavailable)]
    [InlineData(504, StatusCode.Unavailable)]
    [InlineData(500, StatusCode.Unknown)]
    public void FromHttpStatus_MapsAsTheSpecSays(int http, StatusCode expected)
    {
        Assert.Equal(expected, GrpcProtocol.FromHttpStatus(http));
    }

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc; charset=utf-8", true)]
    [InlineData("application/grpcx", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void IsGrpcContentType_AcceptsOnlyGrpc(string? contentType, bool expected)
    {
        Assert.Equal(expected, GrpcProtocol.IsGrpcContentType(contentType));
    }
}
