//! Loading an ONNX model into an optimised tract plan with a fixed input shape, and
//! running it on a flat f32 buffer.

use std::io::Cursor;
use std::path::Path;

use tract_onnx::prelude::*;

use super::models::{read_verified, ModelError, ModelFile};

/// An optimised, runnable model. `run` takes `&self`, so one plan serves many threads.
pub struct Net {
    plan: TypedRunnableModel<TypedModel>,
    input_shape: Vec<usize>,
}

impl Net {
    /// Verifies `file` in `dir` against its pinned hash, then loads it for `input_shape`.
    pub fn load(dir: &Path, file: ModelFile, input_shape: &[usize]) -> Result<Net, ModelError> {
        Net::load_inner(dir, file, input_shape, false)
    }

    /// Like [`Net::load`] for an input shape other than the one the model was exported
    /// with: the shapes recorded in the file for intermediate tensors are dropped and
    /// inferred again from the new input.
    pub fn load_reshaped(
        dir: &Path,
        file: ModelFile,
        input_shape: &[usize],
    ) -> Result<Net, ModelError> {
        Net::load_inner(dir, file, input_shape, true)
    }

    fn load_inner(
        dir: &Path,
        file: ModelFile,
        input_shape: &[usize],
        forget_shapes: bool,
    ) -> Result<Net, ModelError> {
        let bytes = read_verified(dir, file)?;
        let invalid = |e: TractError| ModelError::Invalid {
            path: dir.join(file.name),
            reason: format!("{e:#}"),
        };
        let plan = tract_onnx::onnx()
            .model_for_read(&mut Cursor::new(bytes))
            .and_then(|m| {
                if forget_shapes {
                    forget_facts(m)
                } else {
                    Ok(m)
                }
            })
            .and_then(|m| m.with_input_fact(0, f32::fact(input_shape).into()))
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(invalid)?;
        Ok(Net {
            plan,
            input_shape: input_shape.to_vec(),
        })
    }

    pub fn input_shape(&self) -> &[usize] {
        &self.input_shape
    }

    /// Runs the model on `input` (laid out as the input shape) and returns every output,
    /// flattened, in the model's output order.
    pub fn run(&self, input: Vec<f32>) -> Result<Vec<Vec<f32>>, String> {
        let tensor = Tensor::from_shape(&self.input_shape, &input).map_err(|e| e.to_string())?;
        let outputs = self
            .plan
            .run(tvec!(tensor.into()))
            .map_err(|e| format!("inference failed: {e:#}"))?;
        outputs
            .iter()
            .map(|t| {
                t.as_slice::<f32>()
                    .map(<[f32]>::to_vec)
                    .map_err(|e| format!("unexpected model output: {e}"))
            })
            .collect()
    }
}

/// Clears every recorded tensor fact except the model outputs' element types.
fn forget_facts(mut model: InferenceModel) -> TractResult<InferenceModel> {
    for id in 0..model.nodes().len() {
        for slot in 0..model.node(id).outputs.len() {
            model.set_outlet_fact(OutletId::new(id, slot), InferenceFact::default())?;
        }
    }
    Ok(model)
}
