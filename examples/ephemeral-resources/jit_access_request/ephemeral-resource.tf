# SSH to web-01 for the length of this run only: opened when the run needs it, renewed while it
# lasts, ended when it finishes. Nothing of it is stored in state or in plan files.
ephemeral "jit_access_request" "ssh" {
  policy_id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default"
  virtual_machine_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/web-01"
  port               = 22
  duration           = "PT15M"
  justification      = "deploy ${terraform.workspace}"
}

resource "terraform_data" "deploy" {
  provisioner "remote-exec" {
    connection {
      type = "ssh"
      host = ephemeral.jit_access_request.ssh.address
      port = ephemeral.jit_access_request.ssh.connect_port
      user = "deploy"
    }
    inline = ["sudo systemctl restart app"]
  }
}
