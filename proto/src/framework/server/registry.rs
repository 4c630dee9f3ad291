//! One registry for every type a provider serves, whatever its kind.
//!
//! Each type's schema and value type are computed once, when serving starts; Terraform asks for
//! them in every process and the value type is needed to decode every request.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::cty::{self, Type, Value};
use crate::framework::data_source::DataSource;
use crate::framework::diagnostics::Diagnostics;
use crate::framework::ephemeral::EphemeralResource;
use crate::framework::resource::Resource;
use crate::framework::schema::Schema;
use crate::framework::type_definition::TypeDefinition;

use super::wire::{self, WireValue};

/// The three kinds of type below a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A managed resource (`resource` blocks).
    Resource,
    /// A data source (`data` blocks).
    DataSource,
    /// An ephemeral resource (`ephemeral` blocks, Terraform 1.10+).
    EphemeralResource,
}

impl Kind {
    /// How error messages name the kind.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Resource => "resource type",
            Kind::DataSource => "data source",
            Kind::EphemeralResource => "ephemeral resource type",
        }
    }
}

/// What a type does beyond its definition, by kind.
enum Implementation<D> {
    Resource(Arc<dyn Resource<D>>),
    DataSource(Arc<dyn DataSource<D>>),
    EphemeralResource(Arc<dyn EphemeralResource<D>>),
}

impl<D> Implementation<D> {
    /// What every kind shares: name, schema and configuration checks.
    fn definition(&self) -> &dyn TypeDefinition {
        match self {
            Implementation::Resource(resource) => resource.as_ref(),
            Implementation::DataSource(source) => source.as_ref(),
            Implementation::EphemeralResource(ephemeral) => ephemeral.as_ref(),
        }
    }
}

/// A served type with its schema and value type computed once.
pub(super) struct Entry<D> {
    implementation: Implementation<D>,
    pub(super) schema: Schema,
    pub(super) ty: Arc<Type>,
}

impl<D> Entry<D> {
    /// The type's name, schema and configuration checks.
    pub(super) fn definition(&self) -> &dyn TypeDefinition {
        self.implementation.definition()
    }

    fn new(implementation: Implementation<D>) -> Self {
        let schema = implementation.definition().schema();
        let ty = Arc::new(schema.block.value_type());
        Entry {
            implementation,
            schema,
            ty,
        }
    }

    /// Decodes a value Terraform sent for this type; `what` names it in the error.
    pub(super) fn decode(
        &self,
        value: &WireValue,
        what: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<Value> {
        wire::decode(value, &self.ty, what, diagnostics)
    }

    /// Encodes a value for Terraform; `what` names it in the error.
    pub(super) fn encode(
        &self,
        value: &Value,
        what: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<Vec<u8>> {
        wire::encode(value, &self.ty, what, diagnostics)
    }

    /// Decodes state stored as JSON by an earlier run: attributes that no longer exist are
    /// dropped and new ones start as null.
    pub(super) fn decode_stored(&self, json: &[u8]) -> Result<Value, cty::CtyError> {
        cty::decode_json_lenient(json, &self.ty)
    }
}

/// A served type found by name: its entry and what its kind implements.
pub(super) type Found<'a, D, T> = (&'a Entry<D>, &'a Arc<T>);

/// Every type a provider serves, by kind and name.
pub(super) struct Registry<D> {
    /// One map per kind, so that a lookup by a request's name needs no allocation.
    entries: BTreeMap<Kind, BTreeMap<String, Entry<D>>>,
    /// Names registered twice for one kind, kept to be reported by [`Registry::problems`].
    duplicates: Vec<(Kind, &'static str)>,
}

impl<D: Send + Sync + 'static> Registry<D> {
    pub(super) fn new(
        resources: Vec<Arc<dyn Resource<D>>>,
        data_sources: Vec<Arc<dyn DataSource<D>>>,
        ephemeral_resources: Vec<Arc<dyn EphemeralResource<D>>>,
    ) -> Self {
        let mut registry = Registry {
            entries: BTreeMap::new(),
            duplicates: Vec::new(),
        };
        for resource in resources {
            registry.insert(Kind::Resource, Implementation::Resource(resource));
        }
        for source in data_sources {
            registry.insert(Kind::DataSource, Implementation::DataSource(source));
        }
        for resource in ephemeral_resources {
            registry.insert(
                Kind::EphemeralResource,
                Implementation::EphemeralResource(resource),
            );
        }
        registry
    }

    fn insert(&mut self, kind: Kind, implementation: Implementation<D>) {
        let name = implementation.definition().type_name();
        let entry = Entry::new(implementation);
        if self
            .entries
            .entry(kind)
            .or_default()
            .insert(name.to_owned(), entry)
            .is_some()
        {
            self.duplicates.push((kind, name));
        }
    }
}

impl<D> Registry<D> {
    /// The type of `kind` called `type_name`, or an error diagnostic naming what is missing.
    pub(super) fn get(
        &self,
        kind: Kind,
        type_name: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<&Entry<D>> {
        let found = self
            .entries
            .get(&kind)
            .and_then(|entries| entries.get(type_name));
        if found.is_none() {
            diagnostics.error(
                format!("Unknown {}", kind.noun()),
                format!("This provider has no {} {type_name:?}.", kind.noun()),
            );
        }
        found
    }

    /// The managed resource called `type_name`.
    pub(super) fn resource(
        &self,
        type_name: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<Found<'_, D, dyn Resource<D>>> {
        match self.get(Kind::Resource, type_name, diagnostics)? {
            entry @ Entry {
                implementation: Implementation::Resource(resource),
                ..
            } => Some((entry, resource)),
            _ => None,
        }
    }

    /// The data source called `type_name`.
    pub(super) fn data_source(
        &self,
        type_name: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<Found<'_, D, dyn DataSource<D>>> {
        match self.get(Kind::DataSource, type_name, diagnostics)? {
            entry @ Entry {
                implementation: Implementation::DataSource(source),
                ..
            } => Some((entry, source)),
            _ => None,
        }
    }

    /// The ephemeral resource called `type_name`.
    pub(super) fn ephemeral_resource(
        &self,
        type_name: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<Found<'_, D, dyn EphemeralResource<D>>> {
        match self.get(Kind::EphemeralResource, type_name, diagnostics)? {
            entry @ Entry {
                implementation: Implementation::EphemeralResource(ephemeral),
                ..
            } => Some((entry, ephemeral)),
            _ => None,
        }
    }

    /// The names and schemas of one kind's types, in name order.
    pub(super) fn schemas(&self, kind: Kind) -> impl Iterator<Item = (&str, &Schema)> {
        self.entries
            .get(&kind)
            .into_iter()
            .flatten()
            .map(|(name, entry)| (name.as_str(), &entry.schema))
    }

    /// Every problem Terraform would report about the registered schemas, and names
    /// registered twice.
    pub(super) fn problems(&self) -> Vec<String> {
        let mut problems: Vec<String> = self
            .duplicates
            .iter()
            .map(|(kind, name)| format!("{} {name:?} is registered twice", kind.noun()))
            .collect();
        for (name, entry) in self.entries.values().flatten() {
            problems.extend(crate::framework::schema::check_block(
                &entry.schema.block,
                name,
            ));
        }
        problems
    }
}
