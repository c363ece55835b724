using AntiFraud.Exchange.Protocol.Wire;
using AntiFraud.Exchange.Protocol.Wire.Server;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Reflection.V1;

namespace AntiFraud.Exchange.Protocol.Reflection;

/// <summary>grpc.reflection.v1.ServerReflection, answered from the descriptors of the services the server binds.</summary>
internal sealed class ReflectionService(ReflectionIndex index) : IGrpcService
{
    public ServiceDescriptor Descriptor => Grpc.Reflection.V1.ReflectionReflection.Descriptor.FindTypeByName<ServiceDescriptor>("ServerReflection");

    public void Bind(ServiceBinder binder) => binder.DuplexStreaming(ReflectionMethods.V1Info, InfoAsync);

    private async Task InfoAsync(
        IAsyncStreamReader<ServerReflectionRequest> requests,
        IAsyncStreamWriter<ServerReflectionResponse> responses,
        ServerCallContext context)
    {
        while (await requests.MoveNext(context.CancellationToken))
        {
            await responses.WriteAsync(index.Answer(requests.Current), context.CancellationToken);
        }
    }
}

/// <summary>
/// grpc.reflection.v1alpha.ServerReflection. Its messages are byte-for-byte those of v1, so each request
/// is re-read as v1, answered, and the answer re-read as v1alpha.
/// </summary>
internal sealed class ReflectionV1AlphaService(ReflectionIndex index) : IGrpcService
{
    public ServiceDescriptor Descriptor => Grpc.Reflection.V1Alpha.ReflectionReflection.Descriptor.FindTypeByName<ServiceDescriptor>("ServerReflection");

    public void Bind(ServiceBinder binder) => binder.DuplexStreaming(ReflectionMethods.V1AlphaInfo, InfoAsync);

    private async Task InfoAsync(
        IAsyncStreamReader<Grpc.Reflection.V1Alpha.ServerReflectionRequest> requests,
        IAsyncStreamWriter<Grpc.Reflection.V1Alpha.ServerReflectionResponse> responses,
        ServerCallContext context)
    {
        while (await requests.MoveNext(context.CancellationToken))
        {
            var asV1 = ServerReflectionRequest.Parser.ParseFrom(requests.Current.ToByteString());
            var answer = index.Answer(asV1);
            await responses.WriteAsync(
                Grpc.Reflection.V1Alpha.ServerReflectionResponse.Parser.ParseFrom(answer.ToByteString()),
                context.CancellationToken);
        }
    }
}

/// <summary>Files, symbols and extensions of every served service, built once on first use.</summary>
internal sealed class ReflectionIndex(GrpcServiceCatalog catalog)
{
    private Index? _index;

    public ServerReflectionResponse Answer(ServerReflectionRequest request)
    {
        var index = _index ??= Build(catalog.Services);
        var response = new ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = request };
        switch (request.MessageRequestCase)
        {
            case ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                var list = new ListServiceResponse();
                list.Service.AddRange(index.ServiceNames.Select(n => new ServiceResponse { Name = n }));
                response.ListServicesResponse = list;
                break;

            case ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                return Files(response, index.Files.GetValueOrDefault(request.FileByFilename), $"File '{request.FileByFilename}' is not known.");

            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                return Files(response, index.Symbols.GetValueOrDefault(request.FileContainingSymbol), $"Symbol '{request.FileContainingSymbol}' is not known.");

            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension:
                var ext = request.FileContainingExtension;
                return Files(response, index.Extensions.GetValueOrDefault((ext.ContainingType, ext.ExtensionNumber)),
                    $"Extension {ext.ExtensionNumber} of '{ext.ContainingType}' is not known.");

            case ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType:
                var numbers = index.Extensions.Keys.Where(k => k.Type == request.AllExtensionNumbersOfType).Select(k => k.Number).ToList();
                if (numbers.Count == 0 && !index.Symbols.ContainsKey(request.AllExtensionNumbersOfType))
                {
                    return Error(response, StatusCode.NotFound, $"Type '{request.AllExtensionNumbersOfType}' is not known.");
                }

                var all = new ExtensionNumberResponse { BaseTypeName = request.AllExtensionNumbersOfType };
                all.ExtensionNumber.AddRange(numbers);
                response.AllExtensionNumbersResponse = all;
                break;

            default:
                return Error(response, StatusCode.InvalidArgument, "The request names no reflection query.");
        }

        return response;
    }

    private static ServerReflectionResponse Files(ServerReflectionResponse response, FileDescriptor? file, string notFound)
    {
        if (file is null)
        {
            return Error(response, StatusCode.NotFound, notFound);
        }

        var files = new FileDescriptorResponse();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<FileDescriptor>();
        pending.Push(file);
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next.Name))
            {
                continue;
            }

            files.FileDescriptorProto.Add(next.SerializedData);
            foreach (var dependency in next.Dependencies)
            {
                pending.Push(dependency);
            }
        }

        response.FileDescriptorResponse = files;
        return response;
    }

    private static ServerReflectionResponse Error(ServerReflectionResponse response, StatusCode code, string message)
    {
        response.ErrorResponse = new ErrorResponse { ErrorCode = (int)code, ErrorMessage = message };
        return response;
    }

    private static Index Build(IReadOnlyList<ServiceDescriptor> services)
    {
        var index = new Index();
        foreach (var service in services)
        {
            index.ServiceNames.Add(service.FullName);
            AddFile(index, service.File);
        }

        return index;
    }

    private static void AddFile(Index index, FileDescriptor file)
    {
        if (!index.Files.TryAdd(file.Name, file))
        {
            return;
        }

        foreach (var service in file.Services)
        {
            index.Symbols[service.FullName] = file;
            foreach (var method in service.Methods)
            {
                index.Symbols[method.FullName] = file;
            }
        }

        foreach (var message in file.MessageTypes)
        {
            AddMessage(index, message, file);
        }

        foreach (var e in file.EnumTypes)
        {
            index.Symbols[e.FullName] = file;
        }

        foreach (var extension in file.Extensions.UnorderedExtensions)
        {
            index.Symbols[extension.FullName] = file;
            index.Extensions[(extension.ExtendeeType.FullName, extension.FieldNumber)] = file;
        }

        foreach (var dependency in file.Dependencies)
        {
            AddFile(index, dependency);
        }
    }

    private static void AddMessage(Index index, MessageDescriptor message, FileDescriptor file)
    {
        index.Symbols[message.FullName] = file;
        foreach (var nested in message.NestedTypes)
        {
            AddMessage(index, nested, file);
        }

        foreach (var e in message.EnumTypes)
        {
            index.Symbols[e.FullName] = file;
        }
    }

    private sealed class Index
    {
        public List<string> ServiceNames { get; } = [];

        public Dictionary<string, FileDescriptor> Files { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, FileDescriptor> Symbols { get; } = new(StringComparer.Ordinal);

        public Dictionary<(string Type, int Number), FileDescriptor> Extensions { get; } = [];
    }
}
