"""moto's server with what the deploy rehearsal needs of it (tests/infra/test_deploy_rehearsal.py).

`python -m tests.infra.moto_stack -H 127.0.0.1 -p PORT` starts it. On top of moto's own server it

- creates the CloudFormation resource types moto 5.2 cannot create, or creates without some of their properties
  or cannot update (``providers.GAPS``), through moto's own service APIs, as CloudFormation's resource providers
  do, so the stack's references resolve and each resource can be read back with the ordinary API; any other type
  moto lacks fails the stack instead of being skipped;
- leaves SQS event source mappings to the rehearsal, which polls the queues as Lambda does (moto would invoke
  the function in a Docker container on every SendMessage);
- reads a template from a 127.0.0.1 TemplateURL (moto only recognises localhost);
- evaluates bucket policies' conditions (moto applies every statement, so DenyInsecureTransport denied all);
- gives a stack the template, parameters and outputs of the change set executed on it (moto keeps the old ones);
- runs with the local stack's DynamoDB fixes (local_stack/moto_patched.py).
"""
