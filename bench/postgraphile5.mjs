// PostGraphile 5 (Grafast) for bench/compare.py: the V4 preset keeps PostGraphile 4's schema
// (simple collections only, the same field and argument names), so the peer answers the same
// query bodies. compare.py copies this file into bench/.peers/v5 (where npm installed
// postgraphile@5) and runs `node postgraphile5.mjs DSN PORT`.
//
// postgraphile@5 asks for Node >= 22; Node 20 lacks only Promise.withResolvers, shimmed here
// before PostGraphile's modules load (they are imported dynamically below, after the shim).
if (typeof Promise.withResolvers !== "function") {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

const [connectionString, port] = process.argv.slice(2);
const { createServer } = await import("node:http");
const { postgraphile } = await import("postgraphile");
const { PostGraphileAmberPreset } = await import("postgraphile/presets/amber");
const { makeV4Preset } = await import("postgraphile/presets/v4");
const { makePgService } = await import("postgraphile/adaptors/pg");
const { grafserv } = await import("postgraphile/grafserv/node");

const preset = {
  extends: [
    PostGraphileAmberPreset,
    makeV4Preset({ simpleCollections: "only", disableQueryLog: true }),
  ],
  pgServices: [makePgService({ connectionString, schemas: ["public"] })],
  grafserv: { graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (error) => {
  console.error(error);
  process.exit(1);
});
serv.addTo(server).catch((error) => {
  console.error(error);
  process.exit(1);
});
server.listen(Number(port), "127.0.0.1");
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close();
    pgl.release().finally(() => process.exit(0));
  });
}
