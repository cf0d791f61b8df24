import { assert, assertEquals, assertMatch } from "@std/assert";
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { startDynalite } from "./dynalite.ts";

Deno.test("startDynalite serves DynamoDB's API on 127.0.0.1 and close() stops it", async () => {
  const a = await startDynalite();
  const b = await startDynalite({ tableStateMs: 10 });
  const client = new DynamoDBClient(a.clientConfig);
  const other = new DynamoDBClient(b.clientConfig);
  try {
    assertMatch(a.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert(a.endpoint !== b.endpoint);
    assertEquals(a.env.AWS_ENDPOINT_URL_DYNAMODB, a.endpoint);
    await client.send(
      new CreateTableCommand({
        TableName: "table_1",
        AttributeDefinitions: [{ AttributeName: "k", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "k", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    assertEquals((await client.send(new ListTablesCommand({}))).TableNames, ["table_1"]);
    assertEquals((await other.send(new ListTablesCommand({}))).TableNames, []); // servers are independent
  } finally {
    client.destroy();
    other.destroy();
    await a.close();
    await b.close();
  }
  const refused = await fetch(a.endpoint).then(() => false, () => true);
  assert(refused, "the server should be stopped");
});
