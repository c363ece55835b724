using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.Protocol.Health;
using AntiFraud.Exchange.Protocol.Reflection;
using AntiFraud.Exchange.Protocol.Tests.Wire;
using AntiFraud.Exchange.Protocol.Wire;
using AntiFraud.Exchange.Protocol.Wire.Client;
using Google.Protobuf.Reflection;
using Grpc.Health.V1;
using Grpc.Reflection.V1;
using Microsoft.Extensions.DependencyInjection;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace AntiFraud.Exchange.Protocol.Tests.Health;

public sealed class HealthAndReflectionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Check_WholeServerAndEachService_AreServing()
    {
        var health = new HealthClient(fixture.Channel);
        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "antifraud.testing.v1.InteropTest" })).Status);
    }

    [Fact]
    public async Task Check_UnknownService_IsNotFound()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => new HealthClient(fixture.Channel).CheckAsync(new HealthCheckRequest { Service = "no.Such" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task Watch_UnknownService_SaysServiceUnknown_ThenFollowsChanges()
    {
        var registry = fixture.Server.Services.GetRequiredService<HealthStatusRegistry>();
        using var call = new HealthClient(fixture.Channel).Watch(new HealthCheckRequest { Service = "later.Service" }, new CallOptions().WithTimeout(TimeSpan.FromSeconds(10)));

        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(ServingStatus.ServiceUnknown, call.ResponseStream.Current.Status);

        registry.SetStatus("later.Service", ServingStatus.NotServing);
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(ServingStatus.NotServing, call.ResponseStream.Current.Status);
    }

    [Fact]
    public async Task Reflection_ListsServices_AndServesFileDescriptorsWithDependencies()
    {
        using var call = fixture.Channel.DuplexStreamingCall(ReflectionMethods.V1Info);
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "*" });
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "antifraud.testing.v1.InteropTest.Echo" });
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "grpc.health.v1.HealthCheckResponse.ServingStatus" });
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileByFilename = "nope.proto" });
        await call.RequestStream.CompleteAsync();

        var answers = new List<ServerReflectionResponse>();
        await foreach (var answer in call.ResponseStream.ReadAllAsync())
        {
            answers.Add(answer);
        }

        Assert.Equal(4, answers.Count);
        var services = answers[0].ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("antifraud.testing.v1.InteropTest", services);
        Assert.Contains("grpc.health.v1.Health", services);
        Assert.Contains("grpc.reflection.v1.ServerReflection", services);

        var file = FileDescriptorProto.Parser.ParseFrom(answers[1].FileDescriptorResponse.FileDescriptorProto[0]);
        Assert.Equal("antifraud/testing/v1/interop.proto", file.Name);
        Assert.Equal("grpc/health/v1/health.proto", FileDescriptorProto.Parser.ParseFrom(answers[2].FileDescriptorResponse.FileDescriptorProto[0]).Name);
        Assert.Equal((int)StatusCode.NotFound, answers[3].ErrorResponse.ErrorCode);
    }

    [Fact]
    public async Task ReflectionV1Alpha_AnswersLikeV1()
    {
        using var call = fixture.Channel.DuplexStreamingCall(ReflectionMethods.V1AlphaInfo);
        await call.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "*" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Contains(call.ResponseStream.Current.ListServicesResponse.Service, s => s.Name == "grpc.reflection.v1alpha.ServerReflection");
    }
}
