//! The trace and span ids of the OpenTelemetry context an action happens in, so that its
//! lines join the trace in Grafana, Jaeger or Kibana (feature `opentelemetry`).
//!
//! The ids are those `tracing-opentelemetry` gives the action's span: the layer asks it through
//! the subscriber it was registered with. Without that layer in the subscriber, or outside any
//! span with a valid context, a line has none.

/// A valid trace id and span id, as lowercase hex (W3C trace context).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TraceIds {
    trace: [u8; 32],
    span: [u8; 16],
}

impl TraceIds {
    /// The 32 hex digits of the trace id.
    pub(crate) fn trace_id(&self) -> &str {
        // Hex digits only.
        std::str::from_utf8(&self.trace).unwrap_or_default()
    }

    /// The 16 hex digits of the span id.
    pub(crate) fn span_id(&self) -> &str {
        std::str::from_utf8(&self.span).unwrap_or_default()
    }
}

#[cfg(feature = "opentelemetry")]
pub(crate) use ids::of_span;

#[cfg(feature = "opentelemetry")]
mod ids {
    use opentelemetry::trace::TraceContextExt;
    use tracing::dispatcher::WeakDispatch;
    use tracing_core::span;

    use super::TraceIds;
    use crate::escape::number::write_hex;

    /// The ids of span `id`'s OpenTelemetry context, through `registered` (the subscriber the
    /// layer was registered with), else through the global default subscriber. Must not be
    /// called while holding the span's `ExtensionsMut`.
    ///
    /// A subscriber in a `Box<dyn Subscriber>` does not pass on its registration, and while an
    /// event is dispatched by a scoped subscriber (`with_default`) the current one cannot be
    /// asked for: such a layer finds the ids only through a global default.
    pub(crate) fn of_span(registered: Option<&WeakDispatch>, id: &span::Id) -> Option<TraceIds> {
        let context = match registered.and_then(WeakDispatch::upgrade) {
            Some(dispatch) => tracing_opentelemetry::get_otel_context(id, &dispatch),
            None => tracing::dispatcher::get_default(|dispatch| {
                tracing_opentelemetry::get_otel_context(id, dispatch)
            }),
        }?;
        let span = context.span();
        let span_context = span.span_context();
        if !span_context.is_valid() {
            return None;
        }
        let mut ids = TraceIds { trace: [0; 32], span: [0; 16] };
        write_hex(&span_context.trace_id().to_bytes(), &mut ids.trace);
        write_hex(&span_context.span_id().to_bytes(), &mut ids.span);
        Some(ids)
    }
}
