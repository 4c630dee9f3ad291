//! `counter_named`: a named counter whose value lives only in Terraform's state.
//!
//! The rules, chosen so that every plan shows the new value before apply:
//! - create: `value` starts at `initial`;
//! - update in place (any change of `initial`, `step` or `triggers`): `value` grows by `step`;
//! - a change of `name` replaces the counter, so it starts again at `initial`.
//!
//! Planning computes the new value ([`next_value`]) and applying stores what was planned, so
//! what `terraform apply` writes is exactly what `terraform plan` showed. Read and delete do
//! nothing: state is the only storage.
//!
//! Import takes the counter's name (`terraform import counter_named.visits visits`). With no
//! storage outside state there is nothing to recover, so an imported counter has `value = 0`,
//! `initial = 0` and `step = 1`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tfplugin::cty::Value;
use tfplugin::framework::model::{self, Attr};
use tfplugin::framework::plan_modifier::{requires_replace, use_state_for_unknown};
use tfplugin::framework::resource::{
    CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, ImportStateRequest,
    ImportStateResponse, ModifyPlanRequest, ModifyPlanResponse, ReadRequest, ReadResponse,
    UpdateRequest, UpdateResponse,
};
use tfplugin::framework::validator::{Invalid, Validator, from_fn};
use tfplugin::framework::{Attribute, Block, Diagnostics, Path, Resource, Schema, TypeDefinition};

use crate::provider::Settings;

/// The `counter_named` resource type.
#[derive(Debug, Default, Clone, Copy)]
pub struct CounterNamed;

/// The type name: the provider's name, `counter`, then what it is.
const TYPE_NAME: &str = "counter_named";

/// The resource as configured, planned or stored; field names are the schema's attribute
/// names. Every field is an [`Attr`] because a plan may hold "known after apply" anywhere (a
/// value from another resource); a stored state holds only null and known values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CounterModel {
    id: Attr<String>,
    name: Attr<String>,
    initial: Attr<i64>,
    step: Attr<i64>,
    /// Listed although the resource never reads it: writing a model leaves every attribute it
    /// does not mention null, which would drop the configured triggers from plan and state.
    triggers: Attr<BTreeMap<String, Attr<String>>>,
    value: Attr<i64>,
}

fn block() -> Block {
    Block::new(
        "A named counter kept in Terraform state. It starts at `initial` and grows by `step` on \
         every in-place update, e.g. when `triggers` change.",
    )
    .attribute(
        "id",
        Attribute::string("The provider's `prefix` followed by `name`.")
            .computed()
            .plan(use_state_for_unknown()),
    )
    .attribute(
        "name",
        Attribute::string("What the counter counts. Changing it replaces the counter.")
            .required()
            .validate(not_empty())
            .plan(requires_replace()),
    )
    .attribute(
        "initial",
        Attribute::number("The value at create, a whole number. Defaults to 0.")
            .default_value(0)
            .validate(whole_number("initial")),
    )
    .attribute(
        "step",
        Attribute::number(
            "How much each in-place update adds: a whole number of at least 1. Defaults to 1.",
        )
        .default_value(1)
        .validate(step_at_least_one()),
    )
    .attribute(
        "triggers",
        Attribute::string_map(
            "Arbitrary strings; changing any of them updates the counter, adding `step` to \
             `value`.",
        )
        .optional(),
    )
    .attribute("value", Attribute::number("The current count.").computed())
}

fn not_empty() -> Arc<dyn Validator> {
    from_fn("must not be empty", |value| match value.as_str() {
        Some("") => Err(Invalid::new(
            "Invalid name: empty",
            "name is empty: give the counter a name, e.g. name = \"visits\".",
        )),
        _ => Ok(()),
    })
}

fn whole_number(attribute: &'static str) -> Arc<dyn Validator> {
    from_fn("must be a whole number", move |value| {
        match value.as_i64() {
            Some(_) => Ok(()),
            None => Err(Invalid::new(
                format!("Invalid {attribute}: not a whole number"),
                format!(
                    "{attribute} must be a whole number between {} and {}: drop the fraction.",
                    i64::MIN,
                    i64::MAX
                ),
            )),
        }
    })
}

fn step_at_least_one() -> Arc<dyn Validator> {
    from_fn(
        "must be a whole number of at least 1",
        |value| match value.as_i64() {
            Some(step) if step >= 1 => Ok(()),
            Some(step) => Err(Invalid::new(
                "Invalid step: must be at least 1",
                format!("step is {step}, but a counter only counts up: set step to 1 or more."),
            )),
            None => Err(Invalid::new(
                "Invalid step: not a whole number",
                "step must be a whole number of at least 1: drop the fraction, e.g. step = 1.",
            )),
        },
    )
}

/// The value after an in-place update: the prior value plus the planned step. Unknown while
/// the step is (it may come from another resource); `Err` with an error diagnostic at `step`
/// when the sum does not fit.
fn next_value(prior: Attr<i64>, step: Attr<i64>, diagnostics: &mut Diagnostics) -> Attr<i64> {
    let (Attr::Known(value), Attr::Known(step)) = (prior, step) else {
        return Attr::Unknown;
    };
    match value.checked_add(step) {
        Some(next) => Attr::Known(next),
        None => {
            diagnostics.attribute_error(
                Path::attr_root("step"),
                "Counter would overflow",
                format!(
                    "value {value} plus step {step} is more than {}, the largest value a counter \
                     holds: lower step, or change name to start a new counter.",
                    i64::MAX
                ),
            );
            Attr::Unknown
        }
    }
}

/// The id a new counter gets, when everything it depends on is known.
fn new_id(settings: &Settings, name: &Attr<String>) -> Attr<String> {
    match (&settings.prefix, name) {
        (Some(prefix), Attr::Known(name)) => Attr::Known(format!("{prefix}{name}")),
        _ => Attr::Unknown,
    }
}

/// Reads a value into the model, or says which attribute did not fit. The server has already
/// checked the value against the schema, so a failure here is a mismatch between model and
/// schema, i.e. a bug in this provider.
fn decode(value: &Value, what: &str, diagnostics: &mut Diagnostics) -> Option<CounterModel> {
    model::read(value, &format!("{TYPE_NAME} {what}"), diagnostics)
}

#[async_trait::async_trait]
impl TypeDefinition for CounterNamed {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(0, block())
    }
}

#[async_trait::async_trait]
impl Resource<Settings> for CounterNamed {
    /// Shows the new value (and, when known, the id) in the plan. The framework has already
    /// filled defaults, kept `id` from state and, when anything changed, marked `value`
    /// unknown; an unknown `value` with a prior state is therefore an in-place update.
    async fn modify_plan(
        &self,
        request: ModifyPlanRequest<Settings>,
        response: &mut ModifyPlanResponse,
    ) {
        let diagnostics = &mut response.diagnostics;
        let Some(mut planned) = decode(&response.planned, "plan", diagnostics) else {
            return;
        };
        if request.prior.is_null() {
            planned.value = planned.initial;
            if let Some(settings) = &request.provider {
                planned.id = new_id(settings, &planned.name);
            }
        } else if planned.value.is_unknown() {
            let Some(prior) = decode(&request.prior, "prior state", diagnostics) else {
                return;
            };
            planned.value = next_value(prior.value, planned.step, diagnostics);
        }
        response.write_planned(&planned);
    }

    async fn create(&self, request: CreateRequest<Settings>, response: &mut CreateResponse) {
        let Some(mut counter) =
            decode(&request.planned, "planned state", &mut response.diagnostics)
        else {
            return;
        };
        if !counter.id.is_known() {
            counter.id = new_id(&request.provider, &counter.name);
        }
        if !counter.value.is_known() {
            counter.value = Attr::Known(counter.initial.into_known().unwrap_or(0));
        }
        response.write_state(&counter);
    }

    /// State is the only storage: what Terraform holds is what there is.
    async fn read(&self, _request: ReadRequest<Settings>, _response: &mut ReadResponse) {}

    async fn update(&self, request: UpdateRequest<Settings>, response: &mut UpdateResponse) {
        let diagnostics = &mut response.diagnostics;
        let (Some(prior), Some(mut counter)) = (
            decode(&request.prior, "prior state", diagnostics),
            decode(&request.planned, "planned state", diagnostics),
        ) else {
            return;
        };
        // Known unless the step was unknown at plan time; it is known now.
        if !counter.value.is_known() {
            counter.value = next_value(prior.value, counter.step, diagnostics);
        }
        response.write_state(&counter);
    }

    /// Nothing outside state to remove; the framework drops the state.
    async fn delete(&self, _request: DeleteRequest<Settings>, _response: &mut DeleteResponse) {}

    async fn import_state(
        &self,
        request: ImportStateRequest<Settings>,
        response: &mut ImportStateResponse,
    ) {
        let name = request.id.trim();
        if name.is_empty() {
            response.diagnostics.error(
                "Empty import id",
                format!(
                    "Import a {TYPE_NAME} by its name, e.g. \
                     `terraform import {TYPE_NAME}.visits visits`."
                ),
            );
            return;
        }
        let name = Attr::Known(name.to_owned());
        let counter = CounterModel {
            id: new_id(&request.provider, &name),
            name,
            initial: Attr::Known(0),
            step: Attr::Known(1),
            triggers: Attr::Null,
            value: Attr::Known(0),
        };
        response.write_state(&counter);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_value_adds_the_step_and_reports_overflow_at_step() {
        let mut diagnostics = Diagnostics::new();
        let known = Attr::Known;
        assert_eq!(next_value(known(7), known(2), &mut diagnostics), known(9));
        assert_eq!(
            next_value(known(7), Attr::Unknown, &mut diagnostics),
            Attr::Unknown
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(
            next_value(known(i64::MAX), known(1), &mut diagnostics),
            Attr::Unknown
        );
        let diagnostic = diagnostics.iter().next().expect("an overflow diagnostic");
        assert_eq!(diagnostic.path, Some(Path::attr_root("step")));
    }

    #[test]
    fn new_ids_wait_for_an_unknown_prefix() {
        let name = Attr::Known("visits".to_owned());
        let settings = |prefix: Option<&str>| Settings {
            prefix: prefix.map(str::to_owned),
        };
        assert_eq!(
            new_id(&settings(Some("demo-")), &name),
            Attr::Known("demo-visits".to_owned())
        );
        assert_eq!(new_id(&settings(None), &name), Attr::Unknown);
        assert_eq!(new_id(&settings(Some("")), &Attr::Unknown), Attr::Unknown);
    }

    #[test]
    fn validators_name_the_attribute() {
        let check = |validator: Arc<dyn Validator>, value: Value| {
            let mut diagnostics = Diagnostics::new();
            validator.validate(&value, &Path::attr_root("x"), &mut diagnostics);
            diagnostics
                .iter()
                .map(|d| d.summary.clone())
                .collect::<Vec<_>>()
        };
        let step = step_at_least_one;
        assert_eq!(
            check(step(), Value::from(0)),
            ["Invalid step: must be at least 1"]
        );
        assert_eq!(
            check(step(), Value::from(1.5)),
            ["Invalid step: not a whole number"]
        );
        assert!(check(step(), Value::from(1)).is_empty());
        assert_eq!(
            check(whole_number("initial"), Value::from(0.5)),
            ["Invalid initial: not a whole number"]
        );
        assert_eq!(check(not_empty(), Value::from("")), ["Invalid name: empty"]);
    }
}
